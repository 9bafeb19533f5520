import type { GraphBuilder, Value } from '@coin/onnx';
import { unbroadcast } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Expand.html */
export const expand = (b: GraphBuilder, x: Value, shape: readonly number[]): Value => b.op('Expand', [x, b.i64(shape)]);

export const Expand: Primitive = { opType: 'Expand', grad: (c) => [unbroadcast(c.b, dy(c), input(c, 0)), undefined] };
