import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cell } from '../results/results.js';
import { metricsRecord } from './metrics-record.js';
import { LLAVA_LORA, TASKS } from './testing/fabricate.js';

const near = (x: Cell | undefined, expected: number, tolerance = 0.005 + 1e-9): void => {
  assert.ok(typeof x === 'number' && Math.abs(x - expected) < tolerance, `${x} vs ${expected}`);
};

describe('metricsRecord', () => {
  it('docs/protocol.md#published-numbers: final average 28.74 and BWT −37.29; MFN is the last row’s mean', () => {
    const r = metricsRecord(LLAVA_LORA, TASKS);
    near(r.final_average, 28.74);
    near(r.BWT, -37.29);
    near(r.MFN, 28.74);
    assert.equal(r.FWT, undefined, 'no FWT without a zero-shot row');
    assert.deepEqual(Object.keys(r).sort(), ['BWT', 'MAA', 'MFN', 'MFT', 'final_average', 'forgetting']);
  });

  it('MFN leaves a missing final cell out of the mean', () => {
    const r = metricsRecord([[50], [null, 60], [null, 30, 90]], ['a', 'b', 'c']);
    assert.equal(r.MFN, 60);
    assert.equal(r.BWT, -30);
  });

  it('FWT only with a zero-shot row and the full square matrix', () => {
    const square = [
      [50, 10, 5],
      [40, 60, 20],
      [30, 70, 80],
    ];
    const withZero = metricsRecord(square, ['a', 'b', 'c'], [1, 2, 3]);
    assert.equal(withZero.FWT, (10 - 2 + (20 - 3)) / 2);
    assert.equal(metricsRecord([[50], [40, 60]], ['a', 'b'], [1, 2]).FWT, undefined);
  });

  it('a single joint stage (multitask) has only the final-row metrics', () => {
    const r = metricsRecord([[80, 60, 40]], ['a', 'b', 'c']);
    assert.deepEqual(r, { MAA: null, BWT: null, final_average: 60, MFT: null, MFN: 60, forgetting: null });
  });

  it('a matrix with no rows (no judge) has no metric, and no NaN', () => {
    const r = metricsRecord([], ['a', 'b']);
    assert.ok(Object.values(r).every((v) => v === null));
  });
});
