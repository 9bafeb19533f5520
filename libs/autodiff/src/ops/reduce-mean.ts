import { attr, type GraphBuilder, type Value } from '@coin/onnx';
import { reduceAxes, scalarLike } from '../helpers.js';
import { input, type Primitive } from '../primitive.js';
import { expandReduced } from './reduce-sum.js';

/** https://onnx.ai/onnx/operators/onnx__ReduceMean.html (axes as input since opset 18). */
export const reduceMean = (b: GraphBuilder, x: Value, axes: readonly number[], keepdims = true): Value =>
  b.op('ReduceMean', [x, b.i64(axes)], { keepdims: attr.int(keepdims ? 1 : 0) });

/** dX = expand(dY) / n, n = number of reduced elements (static shapes only). */
export const ReduceMean: Primitive = {
  opType: 'ReduceMean',
  grad: (c) => {
    const x = input(c, 0);
    const axes = reduceAxes(c.b, c.node, x.shape!.length);
    const n = axes.reduce((acc, a) => {
      const d = x.shape![a];
      if (typeof d !== 'number') throw new Error(`ReduceMean gradient needs a static size on axis ${a} of ${x.name}`);
      return acc * d;
    }, 1);
    return [c.b.op('Mul', [expandReduced(c), scalarLike(c.b, x, 1 / n)])];
  },
};
