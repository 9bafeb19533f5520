import { attr, getInt, type GraphBuilder, type Value } from '@coin/onnx';
import { zerosLike } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/** https://onnx.ai/onnx/operators/onnx__Gather.html — e.g. an embedding lookup table[ids]. */
export const gather = (b: GraphBuilder, data: Value, indices: Value, axis = 0): Value => b.op('Gather', [data, indices], { axis: attr.int(axis) });

/**
 * Axis 0 (embeddings): dData = ScatterND(zeros, ids[..., None], dY, reduction=add), which sums
 * the rows of repeated ids. Indices get no gradient.
 */
export const Gather: Primitive = {
  opType: 'Gather',
  grad: (c) => {
    if (!c.needs[0]) return [undefined, undefined];
    const { b } = c;
    if (getInt(c.node.attributes, 'axis', 0) !== 0) throw new Error('Gather gradient supports axis 0 only');
    const [data, ids] = [input(c, 0), input(c, 1)];
    const idx = b.op('Unsqueeze', [ids, b.i64([-1])]);
    return [b.op('ScatterND', [zerosLike(b, data), idx, dy(c)], { reduction: attr.string('add') }), undefined];
  },
};
