import { scalarLike } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Erf.html — dX = dY⊙(2/√π)⊙exp(−X²). ORT has no float64 Erf kernel. */
export const Erf: Primitive = {
  opType: 'Erf',
  grad: (c) => {
    const x = input(c, 0);
    const gauss = c.b.op('Exp', [c.b.op('Neg', [c.b.op('Mul', [x, x])])]);
    return [c.b.op('Mul', [dy(c), c.b.op('Mul', [gauss, scalarLike(c.b, x, 2 / Math.sqrt(Math.PI))])])];
  },
};
