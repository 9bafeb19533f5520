#!/usr/bin/env node
// Regenerates the TypeScript made from .proto files, with buf + ts-proto (local plugin, offline).
// The buf.gen.*.yaml templates at the repo root say what goes where:
//   buf.gen.contracts.yaml  proto/coin/v1/*.proto   -> libs/contracts/src/gen/{nest,grpc-js}/
//   buf.gen.onnx.yaml       libs/onnx/src/proto/*.proto -> libs/onnx/src/proto/gen/
//
// Usage: node tools/gen-contracts.mjs            replace the committed generated folders
//        node tools/gen-contracts.mjs --out DIR  write the same tree under DIR instead (used by
//                                                test/contracts/generated-fresh.test.ts)
// Everything is generated into a temporary folder first, so a failure leaves the old code intact.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The generation templates, in the order they run. */
function templates() {
  return readdirSync(root)
    .filter((f) => /^buf\.gen\..+\.yaml$/.test(f))
    .sort();
}

/** Every output folder named by a template (`plugins[].out`), relative to the repo root. */
function outputDirs() {
  const dirs = [];
  for (const template of templates()) {
    const config = parse(readFileSync(join(root, template), 'utf8'));
    for (const plugin of config.plugins ?? []) dirs.push(plugin.out);
  }
  return dirs;
}

function generate(into) {
  const buf = join(root, 'node_modules', '.bin', 'buf');
  for (const template of templates()) {
    const result = spawnSync(buf, ['generate', '--template', template, '--output', into], {
      cwd: root,
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      process.stderr.write(result.stdout + result.stderr);
      throw new Error(`buf generate --template ${template} failed (exit ${result.status ?? result.signal})`);
    }
  }
}

function main(argv) {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? resolve(argv[outIndex + 1] ?? '') : undefined;
  if (outIndex >= 0 && !argv[outIndex + 1]) throw new Error('--out needs a folder');

  if (out) {
    // A fresh tree elsewhere: nothing committed to protect, so no staging.
    generate(out);
    for (const dir of outputDirs()) mkdirSync(join(out, dir), { recursive: true }); // a template that emits nothing
    return;
  }
  // Stage inside the repo's tmp/ so the final renames stay on one filesystem.
  mkdirSync(join(root, 'tmp'), { recursive: true });
  const staging = mkdtempSync(join(root, 'tmp', 'gen-'));
  try {
    generate(staging);
    for (const dir of outputDirs()) {
      const fresh = join(staging, dir);
      if (!existsSync(fresh)) mkdirSync(fresh, { recursive: true }); // a template that emits nothing
      const target = join(root, dir);
      const old = join(staging, 'old', dir);
      mkdirSync(dirname(old), { recursive: true });
      mkdirSync(dirname(target), { recursive: true });
      if (existsSync(target)) renameSync(target, old);
      renameSync(fresh, target);
      console.log(`generated ${dir}`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  console.error(`gen-contracts: ${e.message}`);
  process.exit(1);
}
