import { unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Div.html — Y = A / B. dA = dY / B, dB = −dY⊙Y / B. */
export const Div: Primitive = {
  opType: 'Div',
  grad: (c) => {
    const [a, d] = [input(c, 0), input(c, 1)];
    return [
      c.needs[0] ? unbroadcast(c.b, c.b.op('Div', [dy(c), d]), a) : undefined,
      c.needs[1]
        ? unbroadcast(c.b, c.b.op('Neg', [c.b.op('Div', [c.b.op('Mul', [dy(c), c.outputs[0]]), d])]), d)
        : undefined,
    ];
  },
};
