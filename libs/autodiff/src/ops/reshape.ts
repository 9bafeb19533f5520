import { reshapeLike } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Reshape.html */
export const Reshape: Primitive = { opType: 'Reshape', grad: (c) => [reshapeLike(c.b, dy(c), input(c, 0)), undefined] };
