import { attr, getInt } from '@coin/onnx';
import { zerosLike } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__GatherElements.html — e.g. picking each target's log-probability.
 *
 * dData = ScatterElements(zeros, indices, dY, reduction=add).
 */
export const GatherElements: Primitive = {
  opType: 'GatherElements',
  grad: (c) => {
    if (!c.needs[0]) return [undefined, undefined];
    const data = input(c, 0);
    const axis = getInt(c.node.attributes, 'axis', 0);
    return [
      c.b.op('ScatterElements', [zerosLike(c.b, data), input(c, 1), dy(c)], {
        axis: attr.int(axis),
        reduction: attr.string('add'),
      }),
      undefined,
    ];
  },
};
