import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { removeStaleTempsBeside } from './atomic-write.js';
import { CoinError } from './errors.js';
import { checkOutputDir, makeOutputDir, makeParentDirs } from './output-target.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coin-output-target-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const refused = (code: string, message: RegExp) => (e: unknown) =>
  e instanceof CoinError && e.code === code && e.kind === 'INVALID_ARGUMENT' && message.test(e.message);

test('a new output folder: its missing levels are listed and created one by one', async () => {
  const target = await checkOutputDir(join(dir, 'a', 'b', 'c'), { flag: '--out', beside: true });
  assert.equal(target.exists, false);
  assert.deepEqual(target.missing, [join(dir, 'a'), join(dir, 'a', 'b'), join(dir, 'a', 'b', 'c')]);
  await makeParentDirs(target);
  assert.deepEqual(await readdir(join(dir, 'a')), ['b']);
  assert.deepEqual(await readdir(join(dir, 'a', 'b')), []);
  await makeOutputDir(target);
  assert.ok((await stat(target.path)).isDirectory());
  assert.equal((await checkOutputDir(target.path, { flag: '--out' })).exists, true);
  assert.deepEqual(await readdir(dir), ['a'], 'the write probe leaves nothing behind');
});

test('empty paths, paths through files and unwritable trees are refused as bad input', async () => {
  const file = join(dir, 'file');
  await writeFile(file, 'x');
  await assert.rejects(checkOutputDir('', { flag: '--out' }), refused('OUTPUT.EMPTY_PATH', /--out is empty/));
  await assert.rejects(checkOutputDir('  ', { flag: '--out' }), refused('OUTPUT.EMPTY_PATH', /is empty/));
  await assert.rejects(
    checkOutputDir(join(file, 'sub', 'deeper'), { flag: '--out' }),
    refused('OUTPUT.NOT_A_FOLDER', /: .*file is a file, not a folder$/),
  );
  await assert.rejects(checkOutputDir(file, { flag: '--output-dir' }), refused('OUTPUT.NOT_A_FOLDER', /^--output-dir/));
  // procfs refuses mkdir with ENOENT, on which Node 20's recursive mkdir loops forever.
  await assert.rejects(
    checkOutputDir('/proc/coin-nope/sub', { flag: '--out' }),
    refused('OUTPUT.NOT_WRITABLE', /cannot create folders in \/proc \(ENOENT/),
  );
});

test("removeStaleTempsBeside removes dead runs' temp folders only", async () => {
  const target = join(dir, 'stale', 'out');
  // pid 2^22 + 1 is above Linux's pid_max limit, so no process has it.
  const dead = join(dir, 'stale', `.out.tmp-${2 ** 22 + 1}-0badf00d`);
  const live = join(dir, 'stale', `.out.tmp-${process.ppid}-00c0ffee`);
  const other = join(dir, 'stale', `.other.tmp-${2 ** 22 + 1}-0badf00d`);
  for (const d of [dead, live, other]) await mkdir(join(d, 'x'), { recursive: true });
  assert.deepEqual(await removeStaleTempsBeside(target), [dead]);
  assert.deepEqual((await readdir(join(dir, 'stale'))).sort(), [
    '.other.tmp-4194305-0badf00d',
    `.out.tmp-${process.ppid}-00c0ffee`,
  ]);
  assert.deepEqual(await removeStaleTempsBeside(join(dir, 'nowhere', 'out')), []);
});
