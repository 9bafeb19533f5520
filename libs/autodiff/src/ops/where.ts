import { scalarLike, unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Where.html — Y = cond ? A : B. */
export const Where: Primitive = {
  opType: 'Where',
  grad: (c) => {
    const { b } = c;
    const [cond, x, y] = [input(c, 0), input(c, 1), input(c, 2)];
    const g = dy(c);
    const zero = scalarLike(b, g, 0);
    return [
      undefined,
      c.needs[1] ? unbroadcast(b, b.op('Where', [cond, g, zero]), x) : undefined,
      c.needs[2] ? unbroadcast(b, b.op('Where', [cond, zero, g]), y) : undefined,
    ];
  },
};
