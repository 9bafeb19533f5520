import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { attr, GraphBuilder, tensor } from '@coin/onnx';
import { gradients } from './backward.js';

test('an op without a gradient rule on the path fails loudly, naming the op', () => {
  const b = new GraphBuilder('g');
  const x = b.input('x', 'float32', [3]);
  const loss = b.op('ReduceSum', [b.op('Sin', [x])], { keepdims: attr.int(0) });
  assert.throws(
    () => gradients(b, loss, [x]),
    (e: unknown) =>
      e instanceof CoinError && e.code === 'AUTODIFF.NO_GRADIENT' && /no gradient rule for Sin/.test(e.message),
  );
});

test('integer and boolean side paths do not stop the reverse pass', () => {
  const b = new GraphBuilder('g');
  const x = b.input('x', 'float32', [4]);
  const positive = b.op('Greater', [x, b.scalar('float32', 0)]); // depends on x, but is boolean
  const y = b.op('Where', [positive, x, b.op('Neg', [x])]);
  const loss = b.op('ReduceSum', [y], { keepdims: attr.int(0) });
  assert.equal(gradients(b, loss, [x]).get('x')?.shape?.[0], 4);
});

test('frozen weights get no gradient work', () => {
  const count = (frozenW2: boolean) => {
    const b = new GraphBuilder('g');
    const x = b.input('x', 'float32', [2, 8]);
    const w1 = b.input('w1', 'float32', [8, 8]);
    const w2 = frozenW2 ? b.initializer('w2', tensor('float32', [8, 8])) : b.input('w2', 'float32', [8, 8]);
    const loss = b.op('ReduceSum', [b.op('MatMul', [b.op('MatMul', [x, w2]), w1])], { keepdims: attr.int(0) });
    const before = b.nodeList.length;
    gradients(b, loss, frozenW2 ? [w1] : [w1, w2]);
    return b.nodeList.slice(before).filter((n) => n.opType === 'MatMul').length;
  };
  // Trainable w2 needs dW2 and, for that, dX of the second product; frozen w2 needs neither.
  assert.equal(count(false), 3);
  assert.equal(count(true), 1);
});

test('a loss that does not depend on the parameters is an error', () => {
  const b = new GraphBuilder('g');
  const x = b.input('x', 'float32', [2]);
  const p = b.input('p', 'float32', [2]);
  const loss = b.op('ReduceSum', [x], { keepdims: attr.int(0) });
  assert.throws(() => gradients(b, loss, [p]), /does not depend on any of the parameters/);
});
