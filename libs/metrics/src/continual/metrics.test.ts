import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { type Cell, checkSameTasks, parseMatrixFile, selectTasks } from './matrix.js';
import { aggregateMetrics, continualMetrics } from './metrics.js';
import { studentTQuantile, summarize } from './stats.js';

const TASKS = ['ScienceQA', 'TextVQA', 'ImageNet', 'GQA', 'VizWiz', 'Grounding', 'VQAv2', 'OCRVQA'];
// docs/protocol.md#published-numbers: LLaVA-7B LoRA, default order; row j = after stage j; ScienceQA off-diagonal values are n/a
const LLAVA_LORA: Cell[][] = [
  [82.45],
  [null, 49.99],
  [null, 0.04, 96.05],
  [null, 18.62, 6.42, 56.4],
  [null, 25.13, 4.7, 40.08, 55.45],
  [null, 0.0, 0.0, 7.25, 0.05, 31.27],
  [null, 36.83, 8.43, 50.18, 22.77, 2.49, 62.2],
  [21.26, 28.74, 10.25, 36.78, 32.45, 0.83, 42.5, 57.08],
];

/** Published values carry 2 decimals. */
const near = (x: Cell, published: number): void => {
  assert.notEqual(x, null);
  assert.ok(Math.abs(x! - published) < 0.005 + 1e-9, `${x} vs ${published}`);
};

describe('continual metrics reproduce the docs/protocol.md#published-numbers derived values', () => {
  const m = parseMatrixFile({ tasks: TASKS, matrix: LLAVA_LORA }, 'matrix.json').accuracy;

  it('docs/protocol.md#published-numbers: final mean 28.74 and BWT −37.29 over all 8 tasks', () => {
    const r = continualMetrics(m);
    near(r.final_average, 28.74);
    near(r.BWT, -37.29);
  });

  it('docs/protocol.md#published-numbers: tasks 2-8 give MAA 32.07, mean diagonal 58.35, mean final 29.80, BWT −33.30', () => {
    const r = continualMetrics(selectTasks(m, TASKS.slice(1)));
    near(r.MAA, 32.07);
    near(r.MFT, 58.35);
    near(r.final_average, 29.8);
    near(r.BWT, -33.3);
  });

  it('docs/protocol.md#published-numbers: General-Knowledge scores, final mean 62.75 and BWT −12.43', () => {
    const diag = [92, 75, 97, 72, 42, 58, 75, 78];
    const fin = [82, 74, 55, 56, 47, 52, 58, 78];
    const judge = TASKS.map((_, j) =>
      j === 7 ? fin : TASKS.slice(0, j + 1).map((__, i) => (i === j ? diag[j] : null)),
    );
    const r = continualMetrics(parseMatrixFile({ tasks: TASKS, matrix: judge }, 'm.json').accuracy);
    near(r.final_average, 62.75);
    near(r.BWT, -12.43);
  });

  it('forgetting uses the best earlier score; FWT needs the entries above the diagonal', () => {
    const square = parseMatrixFile(
      {
        tasks: ['a', 'b', 'c'],
        matrix: [
          [50, 10, 5],
          [40, 60, 20],
          [30, 70, 80],
        ],
        zero_shot: [1, 2, 3],
      },
      'm.json',
    );
    const r = continualMetrics(square.accuracy, square.zeroShot);
    assert.equal(r.forgetting, (50 - 30 + (60 - 70)) / 2);
    assert.equal(r.BWT, (30 - 50 + (70 - 60)) / 2);
    assert.equal(r.FWT, (10 - 2 + (20 - 3)) / 2);
    assert.deepEqual(r.AA, [50, 50, 60]);
    assert.equal(r.MAA, (50 + 50 + 60) / 3);
    const lower = continualMetrics(
      parseMatrixFile({ tasks: ['a', 'b'], matrix: [[50], [40, 60]] }, 'm.json').accuracy,
      [1, 2],
    );
    assert.equal(lower.FWT, null);
  });

  it('rejects malformed matrices with the file name', () => {
    for (const bad of [
      { tasks: ['a', 'b'], matrix: [[1], [1]] },
      { tasks: ['a'], matrix: [['x']] },
      { tasks: [], matrix: [] },
      { tasks: ['a'], matrix: [[1]], extra: 1 },
      { tasks: ['a'], matrix: [[100.5]] }, // scores are percentages
      { tasks: ['a', 'b'], matrix: [[1], [1, 2]], zero_shot: [0, -0.5] },
      { tasks: ['a', 'a'], matrix: [[1], [1, 2]] },
    ]) {
      assert.throws(
        () => parseMatrixFile(bad, 'bad.json'),
        (e: unknown) => e instanceof CoinError && e.message.startsWith('bad.json: '),
      );
    }
  });
});

describe('task lists', () => {
  const m = parseMatrixFile({ tasks: ['a', 'b', 'c'], matrix: [[1], [2, 3], [4, 5, 6]] }, 'm.json').accuracy;

  it('a selection names each task once and at least one', () => {
    const badTasks = (e: unknown) => e instanceof CoinError && e.code === 'METRICS.BAD_TASKS';
    assert.throws(() => selectTasks(m, ['b', 'b']), badTasks);
    assert.throws(() => selectTasks(m, []), badTasks);
  });

  it('aggregated runs cover the same tasks, in any order', () => {
    checkSameTasks([
      { file: 'a.json', tasks: ['a', 'b'] },
      { file: 'b.json', tasks: ['b', 'a'] },
    ]);
    assert.throws(
      () =>
        checkSameTasks([
          { file: 'a.json', tasks: ['a', 'b'] },
          { file: 'b.json', tasks: ['a', 'c'] },
        ]),
      (e: unknown) =>
        e instanceof CoinError && e.code === 'METRICS.TASKS_DIFFER' && /b\.json has tasks a, c/.test(e.message),
    );
  });
});

describe('aggregation over runs', () => {
  it('computes Student-t quantiles, not 1.96', () => {
    // reference values (scipy.stats.t.ppf(0.975, df))
    const table: Array<[number, number]> = [
      [1, 12.706204736174694],
      [2, 4.302652729749462],
      [4, 2.7764451051977934],
      [9, 2.262157162798205],
      [30, 2.0422724563012378],
      [1000, 1.9623390808264083],
    ];
    for (const [df, t] of table)
      assert.ok(Math.abs(studentTQuantile(0.975, df) - t) < 1e-9, `df=${df}: ${studentTQuantile(0.975, df)}`);
    assert.ok(Math.abs(studentTQuantile(0.025, 4) + 2.7764451051977934) < 1e-9);
  });

  it('mean, sample std and 95% interval', () => {
    const s = summarize([1, 2, 3]);
    assert.equal(s.mean, 2);
    assert.equal(s.std, 1);
    const half = 4.302652729749462 / Math.sqrt(3);
    assert.ok(Math.abs(s.ci95![0] - (2 - half)) < 1e-9 && Math.abs(s.ci95![1] - (2 + half)) < 1e-9);
    assert.deepEqual(summarize([5]), { n: 1, mean: 5, std: null, ci95: null });
    const agg = aggregateMetrics([
      continualMetrics(parseMatrixFile({ tasks: ['a'], matrix: [[10]] }, 'x').accuracy),
      continualMetrics(parseMatrixFile({ tasks: ['a'], matrix: [[20]] }, 'y').accuracy),
    ]);
    assert.equal(agg.MAA?.mean, 15);
    assert.equal(agg.FWT, undefined);
  });
});
