import { attr, getInt, normalizeAxis } from '@coin/onnx';
import { zerosLike } from '../helpers.js';
import { input, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__Split.html (split sizes as input since opset 13).
 *
 * dX = Concat of the pieces' gradients; a piece that does not reach the loss contributes zeros.
 */
export const Split: Primitive = {
  opType: 'Split',
  grad: (c) => {
    const axis = normalizeAxis(getInt(c.node.attributes, 'axis', 0), input(c, 0).shape!.length);
    const parts = c.outputs.map((o, i) => c.dOutputs[i] ?? zerosLike(c.b, o));
    return [c.b.op('Concat', parts, { axis: attr.int(axis) }), undefined];
  },
};
