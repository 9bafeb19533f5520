#!/usr/bin/env node
// Launcher for `npx coin`: runs the compiled CLI in dist/ (tools/build-cli.mjs; `npm ci` builds it).
// When a source changed since that build, it first recompiles what changed (well under a second),
// so an edited .ts file takes effect on the next call. COIN_FROM_SOURCE=1 skips dist/ and compiles
// the TypeScript on the fly with swc-node instead (2–4 s a call), as does a failed rebuild.
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(dirname(appDir));
// Node 22.1+ keeps V8's compiled code between runs; Node 20 has no such cache.
module.enableCompileCache?.();

async function loadMain() {
  if (process.env.COIN_FROM_SOURCE !== '1') {
    const { build, isStale } = await import(pathToFileURL(join(root, 'tools/build-cli.mjs')).href);
    try {
      if (isStale()) {
        process.stderr.write('coin: sources changed since the last build; compiling them to dist/\n');
        await build();
      }
      return (await import(pathToFileURL(join(root, 'dist/apps/coin/src/main.js')).href)).main;
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      process.stderr.write(`coin: could not build dist/ (${reason}); compiling TypeScript on the fly\n`);
    }
  }
  process.env.SWC_NODE_PROJECT ??= join(appDir, 'tsconfig.json');
  module.register('@swc-node/register/esm', pathToFileURL(join(appDir, 'package.json')));
  return (await import('../src/main.ts')).main;
}

const main = await loadMain();
process.exitCode = await main(process.argv.slice(2), process.env);
