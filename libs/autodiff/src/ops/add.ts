import { unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Add.html — Y = A + B (broadcasting). */
export const Add: Primitive = {
  opType: 'Add',
  grad: (c) => [
    c.needs[0] ? unbroadcast(c.b, dy(c), input(c, 0)) : undefined,
    c.needs[1] ? unbroadcast(c.b, dy(c), input(c, 1)) : undefined,
  ],
};
