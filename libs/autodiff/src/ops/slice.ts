import { normalizeAxis, toNumbers } from '@coin/onnx';
import { dy, input, type Primitive } from '../primitive.js';

/**
 * https://onnx.ai/onnx/operators/onnx__Slice.html (starts/ends/axes/steps as constant inputs).
 *
 * dX = dY zero-padded back to X's shape (step 1 and static shapes only).
 */
export const Slice: Primitive = {
  opType: 'Slice',
  grad: (c) => {
    const { b, node } = c;
    const x = input(c, 0);
    const constant = (i: number) => (node.inputs[i] ? b.constOf(node.inputs[i]) : undefined);
    const [starts, ends, axesT, stepsT] = [constant(1), constant(2), constant(3), constant(4)];
    if (!starts || !ends || (node.inputs[3] && !axesT) || (node.inputs[4] && !stepsT))
      throw new Error('Slice gradient needs constant starts/ends/axes/steps');
    const rank = x.shape!.length;
    const s = toNumbers(starts);
    const e = toNumbers(ends);
    const axes = axesT ? toNumbers(axesT).map((a) => normalizeAxis(a, rank)) : s.map((_, i) => i);
    if (stepsT && toNumbers(stepsT).some((st) => st !== 1)) throw new Error('Slice gradient supports step 1 only');
    const pads = new Array<number>(2 * rank).fill(0);
    axes.forEach((axis, k) => {
      const dim = x.shape![axis];
      if (typeof dim !== 'number') throw new Error(`Slice gradient needs a static size on axis ${axis} of ${x.name}`);
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
      const [lo, hi] = [clamp(s[k]), clamp(e[k])];
      pads[axis] = lo;
      pads[rank + axis] = dim - Math.max(hi, lo);
    });
    return [b.op('Pad', [dy(c), b.i64(pads)], {}, { types: [{ dtype: x.dtype, shape: x.shape }] })];
  },
};
