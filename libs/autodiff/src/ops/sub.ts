import { unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Sub.html — Y = A − B (broadcasting). */
export const Sub: Primitive = {
  opType: 'Sub',
  grad: (c) => [
    c.needs[0] ? unbroadcast(c.b, dy(c), input(c, 0)) : undefined,
    c.needs[1] ? unbroadcast(c.b, c.b.op('Neg', [dy(c)]), input(c, 1)) : undefined,
  ],
};
