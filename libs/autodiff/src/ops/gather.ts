import { attr, getInt } from '@coin/onnx';
import { zerosLike } from '../helpers.js';
import { dy, input, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__Gather.html — e.g. an embedding lookup table[ids].
 *
 * Axis 0 (embeddings): dData sums the dY rows of each id, as ScatterElements(zeros, ids spread over
 * each row, dY rows, axis 0, reduction=add). Not ScatterND with reduction=add: ORT's CPU kernel
 * runs that in parallel over the rows and loses updates when ids repeat (a real batch, on 2
 * threads); its ScatterElements adds one element after another, in order. Indices get no gradient.
 */
export const Gather: Primitive = {
  opType: 'Gather',
  grad: (c) => {
    if (!c.needs[0]) return [undefined, undefined];
    const { b } = c;
    if (getInt(c.node.attributes, 'axis', 0) !== 0) throw new Error('Gather gradient supports axis 0 only');
    const [data, ids] = [input(c, 0), input(c, 1)];
    if (data.shape === null) throw new Error(`Gather gradient needs the rank of ${data.name}`);
    const rank = data.shape.length;
    const rowShape = b.op('Shape', [data], { start: attr.int(1) }); // data's dims after the first
    const rows = b.op('Reshape', [dy(c), b.op('Concat', [b.i64([-1]), rowShape], { axis: attr.int(0) })]); // [N, ...row]
    const column = b.op('Reshape', [ids, b.i64([-1, ...Array.from({ length: rank - 1 }, () => 1)])]); // [N, 1, ...]
    const spread = b.op('Expand', [column, b.op('Shape', [rows])]);
    return [
      b.op('ScatterElements', [zerosLike(b, data), spread, rows], { axis: attr.int(0), reduction: attr.string('add') }),
      undefined,
    ];
  },
};
