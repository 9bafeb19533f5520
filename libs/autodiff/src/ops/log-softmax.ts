import { attr, getInt, type GraphBuilder, type Value } from '@coin/onnx';
import { dy, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__LogSoftmax.html (opset ≥ 13: over one axis, default −1). */
export const logSoftmax = (b: GraphBuilder, x: Value, axis = -1): Value =>
  b.op('LogSoftmax', [x], { axis: attr.int(axis) });

/** dX = dY − exp(Y) ⊙ Σ_axis dY: stable, since exp(Y) is the softmax and never overflows. */
export const LogSoftmax: Primitive = {
  opType: 'LogSoftmax',
  grad: (c) => {
    const { b } = c;
    const axis = getInt(c.node.attributes, 'axis', -1);
    const total = b.op('ReduceSum', [dy(c), b.i64([axis])], { keepdims: attr.int(1) });
    return [b.op('Sub', [dy(c), b.op('Mul', [b.op('Exp', [c.outputs[0]]), total])])];
  },
};
