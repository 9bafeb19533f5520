import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Log.html — dX = dY / X. */
export const Log: Primitive = { opType: 'Log', grad: (c) => [c.b.op('Div', [dy(c), input(c, 0)])] };
