import { attr, getFloat, getInt, type GraphBuilder, type Value } from '@coin/onnx';
import { scalarLike, unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

function scaled(b: GraphBuilder, v: Value, k: number): Value {
  return k === 1 ? v : b.op('Mul', [v, scalarLike(b, v, k)]);
}

/**
 * https://onnx.ai/onnx/operators/onnx__Gemm.html — Y = α·op(A)·op(B) + β·C.
 *
 * Each gradient is itself a Gemm with the transposes folded into its flags.
 */
export const Gemm: Primitive = {
  opType: 'Gemm',
  grad: (c) => {
    const { b, node } = c;
    const [a, w] = [input(c, 0), input(c, 1)];
    const g = dy(c);
    const alpha = getFloat(node.attributes, 'alpha', 1);
    const beta = getFloat(node.attributes, 'beta', 1);
    const tA = getInt(node.attributes, 'transA', 0) === 1;
    const tB = getInt(node.attributes, 'transB', 0) === 1;
    const mm = (x: Value, y: Value, tx: boolean, ty: boolean) =>
      b.op('Gemm', [x, y], { alpha: attr.float(alpha), transA: attr.int(tx ? 1 : 0), transB: attr.int(ty ? 1 : 0) });
    let da: Value | undefined;
    let dw: Value | undefined;
    if (c.needs[0]) da = !tA ? mm(g, w, false, !tB) : mm(w, g, tB, true);
    if (c.needs[1]) dw = !tB ? mm(a, g, !tA, false) : mm(g, a, true, tA);
    const bias = c.inputs[2];
    const dc = bias && c.needs[2] ? unbroadcast(b, scaled(b, g, beta), bias) : undefined;
    return [da, dw, dc];
  },
};
