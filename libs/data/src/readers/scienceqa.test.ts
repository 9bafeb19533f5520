import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { openScienceQA } from './scienceqa.js';
import { FIXTURES, readSplit, withFixtureCopy } from './testing.js';

const RAW = join(FIXTURES, 'scienceqa');

test('ScienceQA train: string pids, option letters, context first, text-only items, bad answers dropped', async () => {
  const source = await openScienceQA(RAW);
  const { items, report } = await readSplit(source, 'train');
  assert.deepEqual(
    items.map((i) => i.id),
    ['1', '2', '6'],
  );
  assert.deepEqual(items[0], {
    id: '1',
    image: 'ScienceQA/train/1/image.png',
    imageFile: join(RAW, 'images/train/1/image.png'),
    question: 'Which of these states is farthest north?\nA. West Virginia\nB. Louisiana\nC. Arizona\nD. Oklahoma',
    answer: 'A',
  });
  assert.deepEqual(items[1], {
    id: '2',
    question: 'Context: Guide words: bat - dig\nWhich word would you find on a dictionary page?\nA. cat\nB. dog',
    answer: 'B',
  });
  assert.deepEqual(
    report.dropped.map((d) => [d.id, d.reason]),
    [
      ['3', 'answer 7 is not an index into the 3 choices'],
      ['99', 'pid listed in pid_splits.json but absent from problems.json'],
    ],
  );
  assert.equal(report.sourceCounts['ScienceQA/train'], 5);
});

test('ScienceQA test split and the files the scorer needs', async () => {
  const source = await openScienceQA(RAW);
  const { items } = await readSplit(source, 'test');
  assert.deepEqual(
    items.map((i) => [i.id, i.answer, i.image]),
    [
      ['4', 'B', 'ScienceQA/test/4/image.png'],
      ['5', 'C', undefined],
    ],
  );
  assert.deepEqual(
    source.copies.map((c) => c.to),
    ['cl_dataset/ScienceQA/problems.json', 'cl_dataset/ScienceQA/pid_splits.json'],
  );
  assert.deepEqual(
    source.links.map((l) => l.at),
    ['cl_dataset/ScienceQA/train', 'cl_dataset/ScienceQA/test'],
  );
});

test('ScienceQA: missing files are named with the expected paths', async () => {
  await withFixtureCopy('scienceqa', async (dir) => {
    await rm(join(dir, 'pid_splits.json'));
    await rm(join(dir, 'problems.json'));
    await assert.rejects(
      openScienceQA(dir),
      (e: unknown) =>
        e instanceof CoinError &&
        e.kind === 'NOT_FOUND' &&
        /problems: problems\.json or data\/scienceqa\/problems\.json/.test(e.message) &&
        /split lists: pid_splits\.json/.test(e.message),
    );
  });
  await assert.rejects(
    openScienceQA(join(RAW, 'nope')),
    (e: unknown) => e instanceof CoinError && e.code === 'PREP.RAW_NOT_FOUND',
  );
});

test('ScienceQA: malformed problems.json is reported with file and position', async () => {
  await withFixtureCopy('scienceqa', async (dir) => {
    await writeFile(join(dir, 'problems.json'), '{"1": {"question": "x",\n  "choices": [1,, 2]}}');
    await assert.rejects(
      openScienceQA(dir),
      (e: unknown) =>
        e instanceof CoinError && e.code === 'JSON.MALFORMED' && e.details.line === 2 && e.details.column === 17,
    );
  });
  await withFixtureCopy('scienceqa', async (dir) => {
    await writeFile(join(dir, 'problems.json'), '[]');
    await assert.rejects(openScienceQA(dir), (e: unknown) => e instanceof CoinError && e.code === 'PREP.SOURCE_FORMAT');
  });
});
