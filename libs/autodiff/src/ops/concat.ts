import { attr, getInt, normalizeAxis } from '@coin/onnx';
import { dy, input, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__Concat.html
 *
 * dY is split back into the pieces' sizes along the axis (static sizes).
 */
export const Concat: Primitive = {
  opType: 'Concat',
  grad: (c) => {
    const rank = input(c, 0).shape!.length;
    const axis = normalizeAxis(getInt(c.node.attributes, 'axis', 0), rank);
    const sizes = c.inputs.map((v, i) => {
      const d = input(c, i).shape![axis];
      if (typeof d !== 'number') throw new Error(`Concat gradient needs static sizes on axis ${axis} (${v?.name})`);
      return d;
    });
    if (sizes.length === 1) return [dy(c)];
    return c.b.opN('Split', [dy(c), c.b.i64(sizes)], sizes.length, { axis: attr.int(axis) });
  },
};
