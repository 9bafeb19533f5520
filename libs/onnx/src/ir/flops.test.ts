import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { attr, countMatmulFlops, GraphBuilder, tensor } from '../index.js';

test('countMatmulFlops counts 2·M·K·N per product, with batch and Gemm transposes', () => {
  const b = new GraphBuilder('f');
  const x = b.input('x', 'float32', [4, 8, 16]); // [B, T, C]
  const w = b.initializer('w', tensor('float32', [16, 32]));
  const y = b.op('MatMul', [x, w]); // 2·(4·8)·16·32
  const a = b.input('a', 'float32', [16, 10]);
  b.output(b.op('Gemm', [a, b.input('c', 'float32', [16, 6])], { transA: attr.int(1) }), 'g'); // 2·10·16·6
  b.output(b.op('Relu', [y]), 'r');
  assert.equal(countMatmulFlops(b.build()), 2 * 32 * 16 * 32 + 2 * 10 * 16 * 6);
});
