import { attr, type GraphBuilder, type Value } from '@coin/onnx';
import { unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** Swaps the last two axes. */
function transposeLast2(b: GraphBuilder, v: Value): Value {
  const rank = v.shape!.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return b.op('Transpose', [v], { perm: attr.ints(perm) });
}

/** [..., M, K] → [prod(...)·M, K] so that a weight gradient is one large 2-D MatMul. */
function flattenLeading(b: GraphBuilder, v: Value): Value {
  const last = v.shape![v.shape!.length - 1];
  return b.op('Reshape', [v, b.i64([-1, typeof last === 'number' ? last : 0])]);
}

/**
 * https://onnx.ai/onnx/operators/onnx__MatMul.html — numpy matmul, rank ≥ 2 here.
 *
 * dA = dY · Bᵀ, dB = Aᵀ · dY, each summed over broadcast batch axes. A 2-D weight B under a
 * batched A (the linear layer case) gets its gradient from flattened A and dY: one
 * [K, B·T] × [B·T, N] product instead of a batched one followed by a reduction.
 */
export const MatMul: Primitive = {
  opType: 'MatMul',
  grad: (c) => {
    const { b } = c;
    const [a, w] = [input(c, 0), input(c, 1)];
    const g = dy(c);
    if (!a.shape || !w.shape || a.shape.length < 2 || w.shape.length < 2) {
      throw new Error(`MatMul gradient needs inputs of known rank ≥ 2 (got ${a.name}, ${w.name})`);
    }
    const da = c.needs[0] ? unbroadcast(b, b.op('MatMul', [g, transposeLast2(b, w)]), a) : undefined;
    let dw: Value | undefined;
    if (c.needs[1]) {
      if (w.shape.length === 2 && a.shape.length > 2) {
        dw = b.op('MatMul', [
          b.op('Transpose', [flattenLeading(b, a)], { perm: attr.ints([1, 0]) }),
          flattenLeading(b, g),
        ]);
      } else {
        dw = unbroadcast(b, b.op('MatMul', [transposeLast2(b, a), g]), w);
      }
    }
    return [da, dw];
  },
};
