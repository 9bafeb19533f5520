import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CoinError } from '@coin/core';
import { readPyJsonFile, readPyJsonLines } from '../io/read.js';
import type { TaskName } from '../scorers/types.js';
import { rubricJudge } from './backends/rubric.js';
import { judgeCell } from './cell.js';
import { buildJudgePrompts } from './prompts.js';
import { judgeRequests } from './requests.js';
import { aggregateJudgeScores } from './score.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

function requestsOf(task: TaskName, test: string, merge: string) {
  const testItems = { value: readPyJsonFile(join(FIXTURES, test), 'test file'), src: { file: test } };
  const predictions = { file: merge, records: readPyJsonLines(join(FIXTURES, merge), 'result file') };
  return {
    requests: judgeRequests(task, testItems, predictions),
    prompts: buildJudgePrompts(testItems, predictions, task === 'Grounding' ? 'CoIN_Grounding' : 'CoIN'),
  };
}

describe('judge requests', () => {
  it('carry the prompt pair and the parts it is built from, in merge.jsonl order', () => {
    const { requests, prompts } = requestsOf('GQA', 'judge/prompts/test.json', 'judge/prompts/merge.jsonl');
    assert.deepEqual(
      requests.map((r) => [r.id, r.task, r.rule, r.question, r.groundTruth, r.answer]),
      [
        ['1', 'GQA', 'CoIN', 'What color is the bus?', 'red', 'Red'],
        ['2', 'GQA', 'CoIN', '', '3', ''],
        ['3', 'GQA', 'CoIN', '<image>\nWie heißt die Straße?\nContext: 😀', 'Straße', 'Hauptstraße "A" \\ 😀'],
      ],
    );
    assert.deepEqual(
      requests.map((r) => r.messages),
      prompts,
    );
  });

  it('Grounding: the CoIN_Grounding rule, the box as ground truth', () => {
    const { requests } = requestsOf('Grounding', 'grounding/test.json', 'grounding/merge.jsonl');
    assert.equal(requests[0].rule, 'CoIN_Grounding');
    assert.equal(requests[0].groundTruth, '[0.22, 0.06, 0.60, 0.39]');
    assert.match(requests[0].messages[1].content, /bounding boxes/);
  });
});

describe('aggregateJudgeScores', () => {
  it('per text: what it added or null; the failures; CoIN rounding under both fidelities', () => {
    const texts = ['8', 'no idea', '10 points', '7/10'];
    const coin = aggregateJudgeScores(texts, 'coin');
    assert.deepEqual(coin.scores, [8, null, 1, 7]);
    assert.deepEqual([coin.score, coin.scoreFull, coin.n, coin.parseFailures], [40, 40, 4, 1]);
    const strict = aggregateJudgeScores(texts, 'strict');
    assert.deepEqual(strict.scores, [8, null, 10, 7]);
    assert.equal(strict.score, 62); // 62.5, rounded half to even: the integer CoIN reports
    assert.equal(strict.scoreFull, 62.5);
    assert.throws(() => aggregateJudgeScores([], 'strict'), /no lines/);
  });
});

describe('judgeCell with the rubric judge', () => {
  it('scores a cell: replies in order, progress, stats', async () => {
    const { requests } = requestsOf('GQA', 'judge/prompts/test.json', 'judge/prompts/merge.jsonl');
    const backend = rubricJudge();
    const progress: Array<[number, number]> = [];
    const cell = await judgeCell(backend, requests, 'coin', { onProgress: (d, t) => progress.push([d, t]) });
    assert.deepEqual(
      cell.replies.map((r) => [r.id, r.text]),
      [
        ['1', '10'],
        ['2', '0'],
        ['3', '0'],
      ],
    );
    assert.deepEqual([cell.score, cell.n, cell.parseFailures, cell.refusals], [33, 3, 0, 0]);
    assert.deepEqual(progress, [
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    assert.equal(backend.label, 'rubric');
    assert.deepEqual(backend.stats(), { requests: 3, cacheHits: 0, retries: 0, refusals: 0, parseFailures: 0 });
  });

  it('Grounding boxes score by IoU', async () => {
    const { requests } = requestsOf('Grounding', 'grounding/test.json', 'grounding/merge.jsonl');
    const cell = await judgeCell(rubricJudge(), requests.slice(0, 2), 'strict');
    // [0.22,0.06,0.60,0.39] vs [0.29,0.05,0.51,0.35] and [0.38,0.49,0.65,0.96] vs [0.37,0.48,0.73,0.78]: IoU 0.5 each
    assert.deepEqual(
      cell.replies.map((r) => r.text),
      ['5', '5'],
    );
  });

  it('an aborted signal stops it with JUDGE.CANCELLED', async () => {
    const { requests } = requestsOf('GQA', 'judge/prompts/test.json', 'judge/prompts/merge.jsonl');
    await assert.rejects(
      judgeCell(rubricJudge(), requests, 'coin', { signal: AbortSignal.abort('Ctrl-C') }),
      (e: unknown) => e instanceof CoinError && e.code === 'JUDGE.CANCELLED' && /Ctrl-C/.test(e.message),
    );
  });
});
