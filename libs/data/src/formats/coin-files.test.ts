import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CoinError } from '@coin/core';
import {
  collect,
  readAnswerFile,
  readTestFile,
  readTrainFile,
  writeAnswerFile,
  writeTestFile,
  writeTrainFile,
} from './coin-files.js';
import { JsonArrayWriter } from './json-writer.js';
import type { TestRecord, TrainRecord } from './records.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coin-files-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const TRAIN: TrainRecord[] = [
  {
    id: '1',
    image: 'ScienceQA/train/1/image.png',
    conversations: [
      { from: 'human', value: '<image>\nq "é" 😀\nA. a\nB. b' },
      { from: 'gpt', value: 'A' },
    ],
  },
  {
    id: 2,
    conversations: [
      { from: 'human', value: 'text only' },
      { from: 'gpt', value: 'B' },
    ],
  },
];
const TEST: TestRecord[] = [
  {
    question_id: 'refcoco_testA_1',
    image: 'a.jpg',
    text: 'Please provide ...: man.',
    answer_bbox: '[0.00, 0.10, 0.50, 1.00]',
    size: [640, 480],
  },
];

test('train and test files round-trip exactly, ids keep their JSON types', async () => {
  const trainPath = join(dir, 'rt', 'train.json');
  assert.equal(await writeTrainFile(trainPath, TRAIN), 2);
  assert.deepEqual(await collect(readTrainFile(trainPath)), TRAIN);
  assert.deepEqual(JSON.parse(await readFile(trainPath, 'utf8')), TRAIN);
  const testPath = join(dir, 'rt', 'test.json');
  await writeTestFile(testPath, TEST, 'Grounding');
  assert.deepEqual(await collect(readTestFile(testPath, 'Grounding')), TEST);
});

test('an empty array is written as []', async () => {
  const path = join(dir, 'empty.json');
  await writeTrainFile(path, []);
  assert.equal(await readFile(path, 'utf8'), '[]\n');
});

test('an invalid record aborts the write and leaves no file behind', async () => {
  const sub = join(dir, 'abort');
  const path = join(sub, 'train.json');
  const bad = [TRAIN[0], { id: 3, conversations: [] } as unknown as TrainRecord];
  await assert.rejects(
    writeTrainFile(path, bad),
    (e: unknown) => e instanceof CoinError && e.details.index === 1 && e.details.field === 'conversations',
  );
  assert.deepEqual(await readdir(sub), []);
});

test('an existing file is untouched until commit', async () => {
  const path = join(dir, 'keep.json');
  await writeFile(path, '["old"]');
  const writer = await JsonArrayWriter.open(path);
  await writer.write('new');
  assert.equal(await readFile(path, 'utf8'), '["old"]');
  await writer.commit();
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), ['new']);
  const aborted = await JsonArrayWriter.open(path);
  await aborted.write('lost');
  await aborted.abort();
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), ['new']);
  assert.deepEqual(
    (await readdir(dir)).filter((f) => f.startsWith('.')),
    [],
  );
});

test('readers report the record index and field of a bad record', async () => {
  const path = join(dir, 'bad-test.json');
  await writeFile(
    path,
    JSON.stringify([
      { question_id: 1, text: 'q', answer: 'a' },
      { question_id: 2, text: 'q' },
    ]),
  );
  await assert.rejects(
    collect(readTestFile(path, 'VQAv2')),
    (e: unknown) => e instanceof CoinError && e.message.startsWith(`${path}: record 1: field "answer"`),
  );
});

test('duplicate ids are rejected', async () => {
  const path = join(dir, 'dup.json');
  await writeFile(path, JSON.stringify([TRAIN[1], TRAIN[1]]));
  await assert.rejects(collect(readTrainFile(path)), /record 1: field "id": duplicate id 2/);
});

test('merge.jsonl round-trips and malformed lines are located', async () => {
  const path = join(dir, 'merge.jsonl');
  const answers = [
    {
      question_id: 262148000,
      prompt: 'What?',
      text: 'red',
      answer_id: 'x1',
      model_id: 'VQAv2_llava_lora',
      metadata: {},
    },
  ];
  await writeAnswerFile(path, answers);
  assert.deepEqual(await collect(readAnswerFile(path)), answers);
  const bad = join(dir, 'bad.jsonl');
  await writeFile(bad, `${JSON.stringify(answers[0])}\n\n{"question_id": 1, "prompt": "x", }\n`);
  await assert.rejects(
    collect(readAnswerFile(bad)),
    (e: unknown) =>
      e instanceof CoinError && e.details.line === 3 && e.details.column === 35 && e.code === 'JSON.MALFORMED',
  );
});

test('a large streamed write keeps a bounded number of listeners and round-trips', async () => {
  const path = join(dir, 'large.json');
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const writer = await JsonArrayWriter.open(path);
    for (let i = 0; i < 50000; i++) await writer.write({ id: i, text: 'x'.repeat(100) });
    await writer.commit();
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
  const values = JSON.parse(await readFile(path, 'utf8')) as Array<{ id: number }>;
  assert.equal(values.length, 50000);
  assert.equal(values[49999].id, 49999);
});
