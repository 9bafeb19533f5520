import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { accumulateFisher, FisherEstimate } from './fisher.js';

test('Fisher: the mean of squared gradients, per parameter, in the parameter dims', () => {
  const f = new FisherEstimate(
    new Map([
      ['w', [2, 2]],
      ['c', [1]],
    ]),
  );
  const grad = (c: number[], w: number[]) =>
    new Map([
      ['c', Float32Array.from(c)],
      ['w', Float32Array.from(w)],
      ['x', new Float32Array(1)],
    ]);
  f.add(grad([1], [1, 2, 3, 4]));
  f.add(grad([3], [-1, 0, 1, -2]));
  assert.equal(f.batches, 2);
  const byName = f.byName();
  assert.deepEqual([...byName.get('c')!.data], [5]);
  assert.deepEqual([...byName.get('w')!.data], [1, 2, 5, 10]);
  assert.deepEqual(byName.get('w')!.dims, [2, 2]);
  assert.throws(() => f.add(new Map([['c', new Float32Array(1)]])), RangeError, 'a missing gradient is an error');
});

test('Fisher across stages: a running sum; new parameters join; a shape change is refused', () => {
  const t = (values: number[]) => ({
    dtype: 'float32' as const,
    dims: [values.length],
    data: Float32Array.from(values),
  });
  const first = accumulateFisher(undefined, new Map([['a', t([1, 2])]]));
  const second = accumulateFisher(
    first,
    new Map([
      ['a', t([0.5, 0.5])],
      ['b', t([3])],
    ]),
  );
  assert.deepEqual([...second.get('a')!.data], [1.5, 2.5]);
  assert.deepEqual([...second.get('b')!.data], [3]);
  assert.deepEqual([...first.get('a')!.data], [1, 2], 'the carried map is not modified');
  assert.throws(() => accumulateFisher(second, new Map([['b', t([1, 2])]])), { code: 'METHOD.STATE_MISMATCH' });
});
