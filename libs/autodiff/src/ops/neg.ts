import type { GraphBuilder, Value } from '@coin/onnx';
import { dy, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Neg.html */
export const neg = (b: GraphBuilder, x: Value): Value => b.op('Neg', [x]);

export const Neg: Primitive = { opType: 'Neg', grad: (c) => [c.b.op('Neg', [dy(c)])] };
