import { dy, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Exp.html — dX = dY⊙Y (reuses the forward output). */
export const Exp: Primitive = { opType: 'Exp', grad: (c) => [c.b.op('Mul', [dy(c), c.outputs[0]])] };
