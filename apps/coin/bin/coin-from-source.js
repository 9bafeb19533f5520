#!/usr/bin/env node
// `coin` without dist/: compiles the TypeScript sources on the fly with swc-node (1–3 s a call),
// then hands over to the CLI. bin/coin.js falls back to it when dist/ cannot be rebuilt; run it
// directly to debug the sources as they are.
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
process.env.SWC_NODE_PROJECT ??= join(appDir, 'tsconfig.json');
register('@swc-node/register/esm', pathToFileURL(join(appDir, 'package.json')));
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
