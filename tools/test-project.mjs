#!/usr/bin/env node
// Runs one project's node:test files through swc-node and records a TAP copy for the root tally.
// Usage (from a project folder, as its `test` script): node ../../tools/test-project.mjs [filter...]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const projectDir = process.cwd();
const project = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')).name ?? basename(projectDir);
const filters = process.argv.slice(2);

function findTests(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const files = findTests(projectDir)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
  .map((f) => relative(projectDir, f));

const resultsDir = join(root, 'tmp', 'test-results');
mkdirSync(resultsDir, { recursive: true });
const tapFile = join(resultsDir, `${project.replace(/[^a-z0-9-]/gi, '_')}.tap`);

if (files.length === 0) {
  console.log(`${project}: no test files`);
  process.exit(0);
}

const result = spawnSync(
  process.execPath,
  [
    '--import',
    '@swc-node/register/esm-register',
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...files,
  ],
  { cwd: projectDir, stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
);
process.exit(result.status ?? 1);
