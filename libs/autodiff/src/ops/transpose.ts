import { attr, getInts } from '@coin/onnx';
import { dy, input, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__Transpose.html
 *
 * dX = Transpose(dY, inverse permutation).
 */
export const Transpose: Primitive = {
  opType: 'Transpose',
  grad: (c) => {
    const rank = input(c, 0).shape!.length;
    const perm = getInts(c.node.attributes, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [c.b.op('Transpose', [dy(c)], { perm: attr.ints(inverse) })];
  },
};
