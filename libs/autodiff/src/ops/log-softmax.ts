import { attr, getInt } from '@coin/onnx';
import { dy, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__LogSoftmax.html (opset ≥ 13: over one axis, default −1).
 *
 * dX = dY − exp(Y) ⊙ Σ_axis dY: stable, since exp(Y) is the softmax and never overflows.
 */
export const LogSoftmax: Primitive = {
  opType: 'LogSoftmax',
  grad: (c) => {
    const { b } = c;
    const axis = getInt(c.node.attributes, 'axis', -1);
    const total = b.op('ReduceSum', [dy(c), b.i64([axis])], { keepdims: attr.int(1) });
    return [b.op('Sub', [dy(c), b.op('Mul', [b.op('Exp', [c.outputs[0]]), total])])];
  },
};
