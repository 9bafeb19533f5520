import { scalarLike } from '../helpers.js';
import { dy, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Sigmoid.html — dX = dY⊙Y⊙(1 − Y). */
export const Sigmoid: Primitive = {
  opType: 'Sigmoid',
  grad: (c) => {
    const y = c.outputs[0];
    return [c.b.op('Mul', [dy(c), c.b.op('Mul', [y, c.b.op('Sub', [scalarLike(c.b, y, 1), y])])])];
  },
};
