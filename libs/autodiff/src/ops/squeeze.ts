import type { GraphBuilder, Value } from '@coin/onnx';
import { reshapeLike } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Squeeze.html and onnx__Unsqueeze.html (axes as input since opset 13). */
export const unsqueeze = (b: GraphBuilder, x: Value, axes: readonly number[]): Value =>
  b.op('Unsqueeze', [x, b.i64(axes)]);
export const squeeze = (b: GraphBuilder, x: Value, axes: readonly number[]): Value => b.op('Squeeze', [x, b.i64(axes)]);

/** Both only reinterpret the shape: the gradient is reshaped back. */
export const Squeeze: Primitive = { opType: 'Squeeze', grad: (c) => [reshapeLike(c.b, dy(c), input(c, 0)), undefined] };
export const Unsqueeze: Primitive = {
  opType: 'Unsqueeze',
  grad: (c) => [reshapeLike(c.b, dy(c), input(c, 0)), undefined],
};
