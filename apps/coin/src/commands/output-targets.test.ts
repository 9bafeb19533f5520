import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCliChild } from '../testing/spawn-cli.js';

/**
 * A bad output path is the user's error: every command that writes answers exit 2 with a message
 * naming the flag, before doing any work, and never hangs (Node 20's recursive mkdir spins forever
 * under /proc, so these run as child processes that a hang cannot stall).
 */
const DATA_FIXTURES = fileURLToPath(new URL('../../../../libs/data/src/readers/fixtures/', import.meta.url));
const METRICS_FIXTURES = fileURLToPath(new URL('../../../../libs/metrics/src/fixtures/', import.meta.url));
const TINY_SYNTH = ['--train', '1', '--test', '1', '--pretrain', '0', '--image-size', '32'];

let dir: string;
let aFile: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coin-cli-targets-'));
  aFile = join(dir, 'a-file');
  await writeFile(aFile, 'not a folder\n');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const COMMANDS: ReadonlyArray<[string, string, (target: string) => string[]]> = [
  ['prep synth', '--out', (t) => ['prep', 'synth', '--out', t, ...TINY_SYNTH]],
  ['prep GQA', '--out', (t) => ['prep', 'GQA', '--raw', join(DATA_FIXTURES, 'gqa'), '--out', t, '--no-progress']],
  [
    'score',
    '--output-dir',
    (t) => [
      'score',
      'ScienceQA',
      '--base-dir',
      join(METRICS_FIXTURES, 'scienceqa'),
      '--result-file',
      join(METRICS_FIXTURES, 'scienceqa', 'merge.jsonl'),
      '--output-dir',
      t,
    ],
  ],
];

/** [what, target (a function: `aFile` exists only once `before` ran), what the message says]. */
const TARGETS: ReadonlyArray<[string, () => string, RegExp]> = [
  ['an empty path', () => '', /is empty/],
  ['a path through a file (ENOTDIR)', () => join(aFile, 'sub'), /is a file, not a folder/],
  ['a path under /proc (unwritable; recursive mkdir spins there)', () => '/proc/coin-nope/sub', /cannot create/],
];

for (const [command, flag, argv] of COMMANDS) {
  for (const [what, target, message] of TARGETS) {
    test(`${command} ${flag}: ${what} exits 2 before any work`, async () => {
      const cwd = await mkdtemp(join(dir, 'cwd-'));
      const r = await runCliChild(argv(target()), { cwd, killAfterMs: 45_000 });
      assert.equal(r.killed, false, `${command} hung on ${what}`);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`coin: error: ${flag} `));
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error|this is a bug/);
      assert.equal(r.stdout, '', 'nothing was scored or converted');
      assert.deepEqual(await readdir(cwd), [], 'nothing was written in the working directory');
    });
  }
}
