import { scalarLike } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Relu.html — dX = dY where X > 0, else 0. */
export const Relu: Primitive = {
  opType: 'Relu',
  grad: (c) => {
    const x = input(c, 0);
    return [c.b.op('Where', [c.b.op('Greater', [x, scalarLike(c.b, x, 0)]), dy(c), scalarLike(c.b, x, 0)])];
  },
};
