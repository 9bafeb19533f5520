#!/usr/bin/env node
// Launcher for `npx coin`: compiles the TypeScript sources on the fly with swc-node (no build step
// after `npm ci`), then hands over to the CLI.
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
process.env.SWC_NODE_PROJECT ??= join(appDir, 'tsconfig.json');
register('@swc-node/register/esm', pathToFileURL(join(appDir, 'package.json')));
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
