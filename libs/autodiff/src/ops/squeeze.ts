import { reshapeLike } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__Squeeze.html and onnx__Unsqueeze.html (axes as input since opset 13).
 *
 * Both only reinterpret the shape: the gradient is reshaped back.
 */
export const Squeeze: Primitive = { opType: 'Squeeze', grad: (c) => [reshapeLike(c.b, dy(c), input(c, 0)), undefined] };
export const Unsqueeze: Primitive = {
  opType: 'Unsqueeze',
  grad: (c) => [reshapeLike(c.b, dy(c), input(c, 0)), undefined],
};
