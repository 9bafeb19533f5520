import { dy, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Neg.html */
export const Neg: Primitive = { opType: 'Neg', grad: (c) => [c.b.op('Neg', [dy(c)])] };
