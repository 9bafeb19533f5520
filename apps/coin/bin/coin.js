#!/usr/bin/env node
// Launcher for `npx coin`: runs the compiled CLI in dist/ (tools/build-cli.mjs; `npm ci` builds it).
// When a source changed since that build, it first recompiles what changed (well under a second),
// so an edited .ts file takes effect on the next call; silently, as stderr belongs to the command
// (--verbose names the reason). COIN_FROM_SOURCE=1 skips dist/ and compiles the TypeScript on the
// fly with swc-node instead (1–3 s a call), as does a failed rebuild, with a notice.
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(dirname(appDir));
// Node 22.1+ keeps V8's compiled code between runs; Node 20 has no such cache.
module.enableCompileCache?.();
// An internal error's stack (printed with --verbose) then names the .ts lines, not dist/'s.
const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
if (verbose) process.setSourceMapsEnabled(true);

async function loadMain() {
  if (process.env.COIN_FROM_SOURCE !== '1') {
    const { build, staleReason } = await import(pathToFileURL(join(root, 'tools/build-cli.mjs')).href);
    const reason = staleReason();
    let built = true;
    if (reason) {
      if (verbose) process.stderr.write(`coin: ${reason}; compiling the sources to dist/\n`);
      try {
        await build();
      } catch (e) {
        // A read-only checkout, say; a source swc cannot parse fails the same way below, with its error.
        const why = e instanceof Error ? e.message : String(e);
        process.stderr.write(`coin: could not build dist/ (${why}); compiling TypeScript on the fly\n`);
        built = false;
      }
    }
    if (built) return (await import(pathToFileURL(join(root, 'dist/apps/coin/src/main.js')).href)).main;
  }
  process.env.SWC_NODE_PROJECT ??= join(appDir, 'tsconfig.json');
  module.register('@swc-node/register/esm', pathToFileURL(join(appDir, 'package.json')));
  return (await import('../src/main.ts')).main;
}

const main = await loadMain();
process.exitCode = await main(args, process.env);
