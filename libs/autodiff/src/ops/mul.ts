import { unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Mul.html — Y = A ⊙ B (broadcasting). dA = dY⊙B, dB = dY⊙A. */
export const Mul: Primitive = {
  opType: 'Mul',
  grad: (c) => {
    const [a, bb] = [input(c, 0), input(c, 1)];
    return [
      c.needs[0] ? unbroadcast(c.b, c.b.op('Mul', [dy(c), bb]), a) : undefined,
      c.needs[1] ? unbroadcast(c.b, c.b.op('Mul', [dy(c), a]), bb) : undefined,
    ];
  },
};
