#!/usr/bin/env node
// Launcher for `npx coin`: runs the compiled CLI in dist/ (tools/build-cli.mjs; `npm ci` builds it).
// When a source changed since that build, it first recompiles what changed (well under a second),
// so an edited .ts file takes effect on the next call; silently, as stderr belongs to the command
// (--verbose names the reason). A failed rebuild falls back to coin-from-source.js, which compiles
// the TypeScript on the fly, after a notice.
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
// Node 22.1+ keeps V8's compiled code between runs; Node 20 has no such cache.
module.enableCompileCache?.();
const args = process.argv.slice(2);
const verbose = args.includes('--verbose') || args.includes('-v');
// An internal error's stack (printed with --verbose) then names the .ts lines, not dist/'s.
if (verbose) process.setSourceMapsEnabled(true);

const { build, staleReason } = await import(pathToFileURL(join(root, 'tools/build-cli.mjs')).href);
let built = true;
const reason = staleReason();
if (reason) {
  if (verbose) process.stderr.write(`coin: ${reason}; compiling the sources to dist/\n`);
  try {
    await build();
  } catch (e) {
    // A read-only checkout, say. A source swc cannot parse fails on the fly too, with its error.
    const why = e instanceof Error ? e.message : String(e);
    process.stderr.write(`coin: could not build dist/ (${why}); compiling TypeScript on the fly\n`);
    built = false;
  }
}
if (built) {
  const { main } = await import(pathToFileURL(join(root, 'dist/apps/coin/src/main.js')).href);
  process.exitCode = await main(args, process.env);
} else {
  await import('./coin-from-source.js');
}
