import { attr, getInt } from '@coin/onnx';
import { dy, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__Softmax.html (opset ≥ 13: over one axis, default −1).
 *
 * dX = Y ⊙ (dY − Σ_axis dY⊙Y).
 */
export const Softmax: Primitive = {
  opType: 'Softmax',
  grad: (c) => {
    const { b } = c;
    const y = c.outputs[0];
    const axis = getInt(c.node.attributes, 'axis', -1);
    const dot = b.op('ReduceSum', [b.op('Mul', [dy(c), y]), b.i64([axis])], { keepdims: attr.int(1) });
    return [b.op('Mul', [y, b.op('Sub', [dy(c), dot])])];
  },
};
