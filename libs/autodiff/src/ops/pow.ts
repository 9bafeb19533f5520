import { castTo, scalarLike, unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Pow.html — Y = X^P. dX = dY⊙P⊙X^(P−1), dP = dY⊙Y⊙ln X. */
export const Pow: Primitive = {
  opType: 'Pow',
  grad: (c) => {
    const { b } = c;
    const [x, p] = [input(c, 0), input(c, 1)];
    const pf = castTo(b, p, x.dtype);
    const dx = c.needs[0]
      ? unbroadcast(
          b,
          b.op('Mul', [dy(c), b.op('Mul', [pf, b.op('Pow', [x, b.op('Sub', [pf, scalarLike(b, x, 1)])])])]),
          x,
        )
      : undefined;
    const dp = c.needs[1]
      ? unbroadcast(b, b.op('Mul', [dy(c), b.op('Mul', [c.outputs[0], b.op('Log', [x])])]), p)
      : undefined;
    return [dx, dp];
  },
};
