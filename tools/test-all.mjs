#!/usr/bin/env node
// `npm test`: type-check, lint, then every project's tests through Nx; the last line is the tally
// `N passed, N failed` (type-check, format and lint count as one check each).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const resultsDir = join(root, 'tmp', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' };
let passed = 0;
let failed = 0;

function check(name, command, args) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (r.status === 0) passed += 1;
  else {
    failed += 1;
    console.log(`=== ${name} FAILED (exit ${r.status ?? r.signal})`);
  }
  return r.status === 0;
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
check('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
// Formatting is Biome's (biome.json); `npm run format` fixes what this reports.
check('format', bin('biome'), ['format', '.']);
// The boundary rule reads Nx's cached project graph and silently passes without one: build it first.
spawnSync(bin('nx'), ['show', 'projects'], { cwd: root, stdio: 'ignore', env });
check('lint', bin('eslint'), ['--max-warnings', '0', '.']);
const nxOk = check('tests', bin('nx'), ['run-many', '-t', 'test', '--skip-nx-cache', '--outputStyle=stream']);
// The Nx step is not counted itself: the tests it ran are, from their TAP files.
if (nxOk) passed -= 1;
else failed -= 1;

let tapFailures = 0;
/** `project: test` for each failed test, listed again at the end where a log's tail still shows it. */
const failedTests = [];
if (existsSync(resultsDir)) {
  for (const file of readdirSync(resultsDir).filter((f) => f.endsWith('.tap'))) {
    const tap = readFileSync(join(resultsDir, file), 'utf8');
    for (const m of tap.matchAll(/^(\s*)not ok \d+ - (.*)$/gm)) {
      failedTests.push(`${file.replace(/\.tap$/, '')}: ${'  '.repeat(m[1].length / 4)}${m[2]}`);
    }
    const pass = Number(/^# pass (\d+)$/m.exec(tap)?.[1] ?? NaN);
    const fail = Number(/^# fail (\d+)$/m.exec(tap)?.[1] ?? NaN);
    if (Number.isNaN(pass) || Number.isNaN(fail)) {
      console.log(`=== ${file}: the test run ended without a summary (crashed?)`);
      tapFailures += 1;
      continue;
    }
    passed += pass;
    tapFailures += fail;
  }
}
// A project that failed outside any test (a crash, a missing file) still counts as one failure.
failed += !nxOk && tapFailures === 0 ? 1 : tapFailures;
for (const name of failedTests.slice(0, 40)) console.log(`=== failed: ${name}`);
if (failedTests.length > 40)
  console.log(`=== failed: … and ${failedTests.length - 40} more (the TAP files in tmp/test-results)`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
