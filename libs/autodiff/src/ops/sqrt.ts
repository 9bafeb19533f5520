import { scalarLike } from '../helpers.js';
import { dy, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Sqrt.html — dX = dY⊙0.5 / Y. */
export const Sqrt: Primitive = {
  opType: 'Sqrt',
  grad: (c) => [c.b.op('Div', [c.b.op('Mul', [dy(c), scalarLike(c.b, dy(c), 0.5)]), c.outputs[0]])],
};
