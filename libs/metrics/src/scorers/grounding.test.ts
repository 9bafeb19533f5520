import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxIou, parsePredictedBox } from './grounding.js';

describe('Grounding box parsing and IoU', () => {
  it('coin drops the first and last character after removing the brackets (BUG?), strict does not', () => {
    assert.deepEqual(parsePredictedBox('[0.12, 0.34, 0.56, 0.78]', 'coin'), [0.12, 0.34, 0.56, 0.7]);
    assert.deepEqual(parsePredictedBox('[0.12, 0.34, 0.56, 0.78]', 'strict'), [0.12, 0.34, 0.56, 0.78]);
    assert.deepEqual(parsePredictedBox('[ 0.1, 0.2, 0.3, 0.4 ]', 'coin'), [0.1, 0.2, 0.3, 0.4]);
    assert.equal(parsePredictedBox('[0.1, 0.2, 0.3]', 'strict'), undefined);
    assert.equal(parsePredictedBox('box: [0.1, 0.2, 0.3, 0.4]', 'strict'), undefined);
    assert.equal(parsePredictedBox(7n, 'coin'), undefined); // not a str: skipped inside the original's try
    assert.deepEqual(parsePredictedBox('[1_0, 2, 3, 4]', 'strict'), [10, 2, 3, 4]); // Python float() syntax
  });

  it('IoU exactly 0.5 is not a hit; the scaled floating-point value decides near-ties', () => {
    assert.equal(boxIou([0, 0, 640, 640], [0, 0, 320, 640]), 0.5);
    // exact IoU 1/2: after scaling by 640 it is 0.49999999999999983 (miss), unscaled 0.5000000000000001 (hit)
    const p = [0.29, 0.05, 0.51, 0.35];
    const g = [0.22, 0.06, 0.6, 0.39];
    const scale = (b: number[]): [number, number, number, number] =>
      b.map((x) => x * 640) as [number, number, number, number];
    assert.equal(boxIou(scale(p), scale(g)), 0.49999999999999983);
    assert.equal(
      boxIou(p as [number, number, number, number], g as [number, number, number, number]),
      0.5000000000000001,
    );
  });

  it('gives what CPython gives for NaN and infinite coordinates (float() accepts "nan", "inf")', () => {
    assert.equal(boxIou([NaN, 0, 1, 1], [0, 0, 1, 1]), 0);
    assert.equal(boxIou([0, 0, 1, 1], [NaN, 0, 1, 1]), 0);
    assert.equal(boxIou([0, 0, Infinity, 1], [0, 0, 1, 1]), 0);
  });
});
