import { dy, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Identity.html */
export const Identity: Primitive = { opType: 'Identity', grad: (c) => [dy(c)] };
