import { attr, getInt, type Value } from '@coin/onnx';
import { castTo, reduceAxes } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__ReduceMax.html (axes as input since opset 18).
 *
 * The gradient goes to the maximal elements, split evenly between ties.
 */
export const ReduceMax: Primitive = {
  opType: 'ReduceMax',
  grad: (c) => {
    const { b, node } = c;
    const x = input(c, 0);
    const axes = reduceAxes(b, node, x.shape!.length);
    const keep = getInt(node.attributes, 'keepdims', 1) === 1;
    const unsq = (v: Value) => (keep ? v : b.op('Unsqueeze', [v, b.i64(axes)]));
    const mask = castTo(b, b.op('Equal', [x, unsq(c.outputs[0])]), x.dtype);
    const count = b.op('ReduceSum', [mask, b.i64(axes)], { keepdims: attr.int(1) });
    return [b.op('Mul', [mask, b.op('Div', [unsq(dy(c)), count])])];
  },
};
