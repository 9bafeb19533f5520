import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { attr, GraphBuilder, printGraph, tensor } from '../index.js';

test('builder infers shapes through a small attention-like block', () => {
  const b = new GraphBuilder('block');
  const x = b.input('x', 'float32', ['B', 8, 16]); // [B, T, C]
  const w = b.initializer('w', tensor('float32', [16, 48]));
  const qkv = b.op('MatMul', [x, w]); // [B, T, 3C]
  assert.deepEqual(qkv.shape, ['B', 8, 48]);
  const [q, k] = b.opN('Split', [qkv, b.i64([16, 16, 16])], 3, { axis: attr.int(-1) });
  assert.deepEqual(q.shape, ['B', 8, 16]);
  const heads = b.op('Reshape', [q, b.i64([0, 0, 4, 4])]); // [B, T, H, D]
  assert.deepEqual(heads.shape, ['B', 8, 4, 4]);
  const t = b.op('Transpose', [heads], { perm: attr.ints([0, 2, 1, 3]) }); // [B, H, T, D]
  assert.deepEqual(t.shape, ['B', 4, 8, 4]);
  const s = b.op('ReduceSum', [k, b.i64([-1])], { keepdims: attr.int(0) });
  assert.deepEqual(s.shape, ['B', 8]);
  const flat = b.op('Reshape', [qkv, b.i64([-1, 48])]);
  assert.equal(typeof flat.shape?.[0], 'string', 'symbolic batch times 8 is not static');
  b.output(t, 'heads');
  const g = b.build();
  assert.deepEqual(
    g.outputs.map((v) => v.name),
    ['heads'],
  );
  assert.match(printGraph(g), /%heads = Identity/);
});

test('builder reports shape errors at the op that caused them', () => {
  const b = new GraphBuilder('bad');
  const x = b.input('x', 'float32', [2, 3]);
  const y = b.input('y', 'float32', [4, 5]);
  assert.throws(() => b.op('MatMul', [x, y]), /MatMul: inner dimensions differ/);
  assert.throws(() => b.op('Add', [x, y]), /cannot broadcast/);
  assert.throws(() => b.op('Reshape', [x, b.i64([4, 2])]), /cannot reshape/);
  assert.throws(() => b.input('x', 'float32', [1]), /already used/);
  assert.throws(() => b.op('MyCustomOp', [x]), /no shape rule/);
});

test('small equal constants are shared, slices and gathers infer shapes', () => {
  const b = new GraphBuilder('g');
  assert.equal(b.i64([1, 2]), b.i64([1, 2]));
  const big = () => tensor('float32', [20], new Array(20).fill(1));
  assert.notEqual(b.constant(big()), b.constant(big()), 'large constants are not compared by content');
  assert.equal(b.constant(big(), 'k', 'ones20'), b.constant(big(), 'k', 'ones20'), 'but shared under a cache key');
  const x = b.input('x', 'float32', [10, 6]);
  assert.deepEqual(b.op('Slice', [x, b.i64([2]), b.i64([-1]), b.i64([0])]).shape, [7, 6]);
  assert.deepEqual(b.op('Slice', [x, b.i64([0, 1]), b.i64([10, 6]), b.i64([0, 1]), b.i64([2, 2])]).shape, [5, 3]);
  const ids = b.input('ids', 'int64', [3, 4]);
  assert.deepEqual(b.op('Gather', [x, ids]).shape, [3, 4, 6]);
  assert.deepEqual(b.op('Unsqueeze', [x, b.i64([0, -1])]).shape, [1, 10, 6, 1]);
  assert.deepEqual(b.op('MatMul', [x, b.input('v', 'float32', [6])]).shape, [10]);
  assert.deepEqual(b.op('Cast', [x], { to: attr.int(11) }).dtype, 'float64');
});
