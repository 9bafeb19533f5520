import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';

test('atomic writes create folders, replace whole files and leave no temp files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-atomic-'));
  const file = join(dir, 'a', 'b', 'out.json');
  await writeFileAtomic(file, '{"v": 1}\n');
  await writeFileAtomic(file, new TextEncoder().encode('{"v": 2}\n'));
  assert.equal(readFileSync(file, 'utf8'), '{"v": 2}\n');
  writeFileAtomicSync(file, 'sync\n');
  assert.equal(readFileSync(file, 'utf8'), 'sync\n');
  assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['out.json']);
});

test('a failed atomic write keeps the old file and removes its temp file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coin-atomic-'));
  const file = join(dir, 'keep.txt');
  writeFileSync(file, 'old');
  // Renaming a file over a non-empty directory fails after the temp file was written.
  const blocker = join(dir, 'blocker');
  await writeFileAtomic(join(blocker, 'x'), 'x');
  await assert.rejects(writeFileAtomic(blocker, 'new'));
  assert.throws(() => writeFileAtomicSync(blocker, 'new'));
  assert.equal(readFileSync(file, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir).sort(), ['blocker', 'keep.txt']);
});
