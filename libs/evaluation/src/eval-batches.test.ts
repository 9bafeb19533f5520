import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import type { TestRecord } from '@coin/data';
import { ByteLevelBpeTokenizer, buildEvalPrompt, trainByteLevelBpe, VICUNA_V1_SYSTEM } from '@coin/model';
import { hasImages, planBatches } from './eval-batches.js';

const tokenizer = new ByteLevelBpeTokenizer(
  trainByteLevelBpe([VICUNA_V1_SYSTEM, 'What is it? Answer the question using a single word or phrase.'], {
    vocabSize: 300,
  }),
);
const N = 16; // image tokens
const record = (i: number, words: number, image = true): TestRecord => ({
  question_id: i,
  ...(image ? { image: `img/${i}.png` } : {}),
  text: `${'word '.repeat(words)}?\nAnswer the question using a single word or phrase.`,
});
/** Positions of a record's prompt, its image expanded. */
const positions = (r: TestRecord, runner: 'loader' | 'science') => {
  const p = buildEvalPrompt(r, runner, tokenizer);
  return p.inputIds.length + (p.imagePosition >= 0 ? N - 1 : 0);
};

test('batches in test-file order, the last filled with repeats of its last real item', () => {
  const records = Array.from({ length: 6 }, (_, i) => record(i, 1 + i));
  const batches = planBatches(records, tokenizer, { task: 'TextVQA', batch: 4, maxSeq: 4096, imageTokens: N });
  assert.deepEqual(
    batches.map((b) => [b.start, b.real]),
    [
      [0, 4],
      [4, 2],
    ],
  );
  const last = batches[1];
  const prompt = (i: number) => buildEvalPrompt(records[i], 'loader', tokenizer).inputIds;
  assert.deepEqual(last.prompts, [prompt(4), prompt(5), prompt(5), prompt(5)]);
  assert.deepEqual(last.images, ['img/4.png', 'img/5.png', 'img/5.png', 'img/5.png']);
  // Far from the end of the positions: CoIN's limit (128 for the loader tasks), not capped.
  assert.ok(batches.every((b) => b.maxNewTokens === 128 && !b.capped));
});

test('new tokens are capped per batch at what fits after its longest prompt; a prompt that leaves no room is refused', () => {
  const records = [record(0, 2), record(1, 30), record(2, 2), record(3, 3)];
  const longest = positions(records[1], 'loader');
  const maxSeq = longest + 10;
  const batches = planBatches(records, tokenizer, { task: 'ImageNet', batch: 2, maxSeq, imageTokens: N });
  assert.equal(batches[0].maxNewTokens, 10);
  assert.equal(batches[1].maxNewTokens, maxSeq - positions(records[3], 'loader'));
  assert.ok(
    batches.every((b) => b.capped),
    'ImageNet allows 1024, far more than fits',
  );
  assert.throws(
    () => planBatches(records, tokenizer, { task: 'ImageNet', batch: 2, maxSeq: longest, imageTokens: N }),
    (e) => e instanceof CoinError && e.code === 'EVAL.PROMPT_TOO_LONG' && /test item 1 takes/.test(e.message),
  );
});

test('ScienceQA items without an image have no image row; a batch of them needs no image input', () => {
  const records = [record(0, 2, false), record(1, 2, false), record(2, 2, true), record(3, 2, false)];
  const batches = planBatches(records, tokenizer, { task: 'ScienceQA', batch: 2, maxSeq: 4096, imageTokens: N });
  assert.deepEqual(batches[0].images, [undefined, undefined]);
  assert.equal(hasImages(batches[0]), false);
  assert.deepEqual(batches[1].images, ['img/2.png', undefined]);
  assert.equal(hasImages(batches[1]), true);
  assert.equal(batches[0].maxNewTokens, 1024);
});
