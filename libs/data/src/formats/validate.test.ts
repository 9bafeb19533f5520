import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import type { CoinTask } from './records.js';
import { checkAnswerRecord, checkTestRecord, checkTrainRecord, parseBoxString } from './validate.js';

const where = { file: 'f.json', index: 3 };
const human = (value: string) => ({ from: 'human', value });
const gpt = (value: string) => ({ from: 'gpt', value });

const GOOD_TRAIN: readonly unknown[] = [
  {
    id: '1234',
    image: 'ScienceQA/train/1234/image.png',
    conversations: [
      human("<image>\nWhich?\nA. x\nB. y\nAnswer with the option's letter from the given choices directly."),
      gpt('A'),
    ],
  },
  { id: 7, conversations: [human('Text only?\nA. a\nB. b'), gpt('B')] },
  {
    id: 'ref_1',
    image: 'a.jpg',
    conversations: [human('<image>\nq'), gpt('[0.12, 0.34, 0.56, 0.78]'), human('again'), gpt('x')],
    extra: 'kept',
  },
];
for (const [i, r] of GOOD_TRAIN.entries())
  test(`train record ${i} is valid`, () => assert.equal(checkTrainRecord(r, where), r));

const BAD_TRAIN: ReadonlyArray<[string, unknown, string, RegExp]> = [
  ['not an object', [], '(record)', /expected an object/],
  ['no id', { conversations: [human('q'), gpt('a')] }, 'id', /missing/],
  ['empty id', { id: '', conversations: [human('q'), gpt('a')] }, 'id', /non-empty/],
  ['object id', { id: {}, conversations: [human('q'), gpt('a')] }, 'id', /string or a number/],
  ['empty image', { id: 1, image: '', conversations: [human('q'), gpt('a')] }, 'image', /non-empty/],
  ['no conversations', { id: 1 }, 'conversations', /missing/],
  ['one turn', { id: 1, conversations: [human('q')] }, 'conversations', /at least/],
  ['gpt first', { id: 1, conversations: [gpt('a'), human('q')] }, 'conversations[0].from', /expected "human"/],
  ['bad value', { id: 1, conversations: [human('q'), { from: 'gpt', value: 3 }] }, 'conversations[1].value', /string/],
  [
    'image without token',
    { id: 1, image: 'x.jpg', conversations: [human('q'), gpt('a')] },
    'conversations[0].value',
    /no <image>/,
  ],
  [
    'token without image',
    { id: 1, conversations: [human('<image>\nq'), gpt('a')] },
    'conversations[0].value',
    /text-only/,
  ],
  [
    'token in answer',
    { id: 1, image: 'x', conversations: [human('<image>\nq'), gpt('<image>')] },
    'conversations[1].value',
    /only in the first/,
  ],
];
for (const [name, record, field, message] of BAD_TRAIN) {
  test(`train record: ${name} is rejected at field ${field}`, () => {
    assert.throws(
      () => checkTrainRecord(record, where),
      (e: unknown) =>
        e instanceof CoinError &&
        e.code === 'RECORD.INVALID' &&
        e.details.field === field &&
        e.details.index === 3 &&
        e.details.file === 'f.json' &&
        message.test(e.message) &&
        e.message.startsWith('f.json: record 3: '),
    );
  });
}

const GROUNDING = {
  question_id: 'refcoco_testA_17',
  image: 'x.jpg',
  text: 'Please provide the bounding box coordinate of the region this sentence describes: left zebra.',
  answer_bbox: '[0.05, 0.31, 0.47, 0.80]',
  size: [640, 427],
};
const GOOD_TEST: ReadonlyArray<[unknown, CoinTask | undefined]> = [
  [
    {
      question_id: '5678',
      text: "Which?\nA. frog\nB. dog\nAnswer with the option's letter from the given choices directly.",
      answer: 'B',
    },
    'ScienceQA',
  ],
  [
    {
      question_id: 34602,
      image: 'TextVQA/train_images/a.jpg',
      text: 'what?\nAnswer the question using a single word or phrase.',
    },
    'TextVQA',
  ],
  [GROUNDING, 'Grounding'],
  [{ question_id: 262148000, image: 'a.jpg', text: 'q', answer: '' }, 'VQAv2'],
];
for (const [i, [r, task]] of GOOD_TEST.entries())
  test(`test record ${i} is valid for ${task}`, () => assert.equal(checkTestRecord(r, where, task), r));

const BAD_TEST: ReadonlyArray<[string, unknown, CoinTask | undefined, string]> = [
  ['no question_id', { text: 'q' }, undefined, 'question_id'],
  ['no text', { question_id: 1 }, undefined, 'text'],
  ['numeric answer', { question_id: 1, text: 'q', answer: 3 }, undefined, 'answer'],
  ['missing answer for ImageNet', { question_id: 'a.JPEG', text: 'q' }, 'ImageNet', 'answer'],
  ['grounding without box', { question_id: 1, text: 'q', size: [1, 2] }, 'Grounding', 'answer_bbox'],
  ['grounding without size', { ...GROUNDING, size: undefined }, 'Grounding', 'size'],
  ['box with 3 numbers', { ...GROUNDING, answer_bbox: '[0.1, 0.2, 0.3]' }, undefined, 'answer_bbox'],
  ['box not a list', { ...GROUNDING, answer_bbox: '0.1, 0.2, 0.3, 0.4' }, undefined, 'answer_bbox'],
  ['size with zero', { ...GROUNDING, size: [0, 3] }, undefined, 'size'],
  ['size with floats', { ...GROUNDING, size: [1.5, 3] }, undefined, 'size'],
];
for (const [name, record, task, field] of BAD_TEST) {
  test(`test record: ${name} is rejected at field ${field}`, () => {
    assert.throws(
      () => checkTestRecord(record, where, task),
      (e: unknown) => e instanceof CoinError && e.details.field === field,
    );
  });
}

test('parseBoxString', () => {
  assert.deepEqual(parseBoxString('[0.05, 0.31, 0.47, 0.80]'), [0.05, 0.31, 0.47, 0.8]);
  assert.deepEqual(parseBoxString('[1,2,3,4]'), [1, 2, 3, 4]);
  assert.equal(parseBoxString('[0.1, 0.2, 0.3, x]'), undefined);
});

test('answer records (merge.jsonl)', () => {
  const good = { question_id: 1, prompt: 'q', text: '', answer_id: 'abc', model_id: 'm', metadata: {} };
  assert.equal(checkAnswerRecord(good, where), good);
  assert.throws(
    () => checkAnswerRecord({ ...good, metadata: undefined }, { file: 'm.jsonl', index: 0, line: 1 }),
    (e: unknown) => e instanceof CoinError && /m\.jsonl: line 1: field "metadata": missing/.test(e.message),
  );
  assert.throws(() => checkAnswerRecord({ ...good, text: 5 }, where), /field "text"/);
});
