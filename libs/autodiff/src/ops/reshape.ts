import type { GraphBuilder, Value } from '@coin/onnx';
import { reshapeLike } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Reshape.html */
export const reshape = (b: GraphBuilder, x: Value, shape: readonly number[]): Value =>
  b.op('Reshape', [x, b.i64(shape)]);

export const Reshape: Primitive = { opType: 'Reshape', grad: (c) => [reshapeLike(c.b, dy(c), input(c, 0)), undefined] };
