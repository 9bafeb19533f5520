import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from './testing/run-cli.js';

test('coin --help lists every subcommand, and each has its own --help', async () => {
  const { code, stdout } = await runCli(['--help']);
  assert.equal(code, 0);
  const commands = ['config', 'prep', 'score', 'judge', 'metrics', 'report'];
  for (const c of commands) assert.match(stdout, new RegExp(`^  ${c}\\b`, 'm'), `--help lists ${c}`);
  for (const c of commands) {
    const sub = await runCli([c, '--help']);
    assert.equal(sub.code, 0, `${c} --help exits 0`);
    assert.match(sub.stdout, new RegExp(`Usage: coin ${c}`));
  }
});

test('no arguments prints the help on stderr and exits 2; --version exits 0', async () => {
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.equal(none.stdout, '', 'a usage error leaves stdout clean, as `coin judge` without a command does');
  assert.match(none.stderr, /^Usage: coin[\s\S]*\ncoin: error: `coin` needs a command\n/);
  const version = await runCli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('bad usage exits 2 with a message and no stack trace', async () => {
  const unknown = await runCli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const badOption = await runCli(['config', '--frobnicate']);
  assert.equal(badOption.code, 2);
  assert.match(badOption.stderr, /unknown option '--frobnicate'/);
  for (const r of [unknown, badOption]) assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('configuration errors are usage errors that name the problem', async () => {
  const typo = await runCli(['config'], { COIN_LOGLEVEL: 'debug' });
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown environment variable COIN_LOGLEVEL/);
  const dir = mkdtempSync(join(tmpdir(), 'coin-cli-'));
  const file = join(dir, 'coin.json');
  writeFileSync(file, JSON.stringify({ mode: 'cluster', log: { level: 'loud' } }));
  const bad = await runCli(['--config', file, 'config']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /log\.level/);
  writeFileSync(file, JSON.stringify({ mode: 'cluster' }));
  const good = await runCli(['--config', file, 'config']);
  assert.equal(good.code, 0);
  assert.equal(JSON.parse(good.stdout).mode, 'cluster');
});

test('the installed `coin` bin runs from the repository root (npx coin)', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const r = spawnSync(join(root, 'node_modules/.bin/coin'), ['--help'], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Commands:[\s\S]*score/);
});

test('the CLI does not load reflect-metadata (it has no Nest DI)', async () => {
  await runCli(['--version']);
  assert.equal(typeof (Reflect as { getMetadata?: unknown }).getMetadata, 'undefined');
});

test('coin config --help points to the configuration reference', async () => {
  const r = await runCli(['config', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /docs\/configuration\.md/);
});
