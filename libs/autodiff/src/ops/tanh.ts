import { scalarLike } from '../helpers.js';
import { dy, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Tanh.html — dX = dY⊙(1 − Y²). */
export const Tanh: Primitive = {
  opType: 'Tanh',
  grad: (c) => {
    const y = c.outputs[0];
    return [c.b.op('Mul', [dy(c), c.b.op('Sub', [scalarLike(c.b, y, 1), c.b.op('Mul', [y, y])])])];
  },
};
