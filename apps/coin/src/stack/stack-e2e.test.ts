import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { runCli } from '../testing/run-cli.js';
import { STACK_TESTS, STACK_TESTS_REASON } from '../testing/stack-tests.js';
import { readStackFile } from './stack-file.js';

/** Opt-in (STACK_TESTS=1, set by .ci/run on one pass): about 40 s on two busy cores. */
const WIRED = STACK_TESTS;
const REASON = STACK_TESTS_REASON;

const SMALL = ['--world-train', '24', '--world-test', '8', '--world-pretrain', '16', '--pretrain-steps', '40'];
const SPEC = ['--preset', 'micro', '--order', 'ImageNet,VQAv2', ...SMALL];

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) {
    for (const p of (await readStackFile(d).catch(() => undefined))?.processes ?? [])
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    await rm(d, { recursive: true, force: true });
  }
});

/** The accuracy matrix block of `coin run`'s table (title line to the first blank line). */
const accuracyBlock = (stdout: string) => stdout.slice(stdout.indexOf('accuracy ('), stdout.indexOf('\n\n'));

it('coin submit --preset micro --wait (2 tasks) over the stack: the matrix of an embedded coin run of the same spec', {
  skip: WIRED ? undefined : REASON,
}, async () => {
  if (!WIRED) return;
  const store = await mkdtemp(join(tmpdir(), 'coin-stack-e2e-'));
  const embedded = await mkdtemp(join(tmpdir(), 'coin-stack-e2e-run-'));
  dirs.push(store, embedded);
  const up = await runCli(['stack', 'up', '--store', store]);
  assert.equal(up.code, 0, up.stderr);
  try {
    const submitted = await runCli(['submit', ...SPEC, '--wait', '--store', store]);
    assert.equal(submitted.code, 0, submitted.stderr);
    const local = await runCli([
      'run',
      ...SPEC,
      '--in-process',
      '--store',
      join(embedded, 'store'),
      '--out',
      join(embedded, 'out'),
    ]);
    assert.equal(local.code, 0, local.stderr);
    assert.match(accuracyBlock(local.stdout), /^accuracy \(coin\)/);
    assert.equal(accuracyBlock(submitted.stdout), accuracyBlock(local.stdout));
    assert.match(submitted.stderr, /stage 2 VQAv2: done/);
  } finally {
    const down = await runCli(['stack', 'down', '--store', store]);
    assert.equal(down.code, 0, down.stderr);
  }
});
