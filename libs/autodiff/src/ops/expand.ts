import { unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Expand.html */
export const Expand: Primitive = { opType: 'Expand', grad: (c) => [unbroadcast(c.b, dy(c), input(c, 0)), undefined] };
