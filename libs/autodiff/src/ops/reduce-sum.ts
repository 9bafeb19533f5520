import { getInt, type Value } from '@coin/onnx';
import { reduceAxes } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** The output gradient with the reduced axes restored as size 1, expanded to X's shape. */
export function expandReduced(c: Parameters<Primitive['grad']>[0]): Value {
  const { b, node } = c;
  const x = input(c, 0);
  const g = dy(c);
  const keep = getInt(node.attributes, 'keepdims', 1) === 1;
  const kept = keep ? g : b.op('Unsqueeze', [g, b.i64(reduceAxes(b, node, x.shape!.length))]);
  return b.op('Expand', [kept, b.op('Shape', [x])], {}, { types: [{ dtype: g.dtype, shape: x.shape }] });
}

/** https://onnx.ai/onnx/operators/onnx__ReduceSum.html (axes as input since opset 13). */
export const ReduceSum: Primitive = { opType: 'ReduceSum', grad: (c) => [expandReduced(c)] };
