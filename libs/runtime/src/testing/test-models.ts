/**
 * Small ONNX models for the runtime's tests, built with @coin/onnx's GraphBuilder.
 * Not exported from the package.
 */
import { attr, GraphBuilder, serializeModel, tensor } from '@coin/onnx';
import { type FlatLayout } from '../flat-params.js';

/** Y[N, 4] = X[N, 3] · W[3, 4] + B[4] (B an initializer, N symbolic). */
export function affineModel(bias: readonly number[] = [0.5, -1, 2, 0]): Uint8Array {
  const g = new GraphBuilder('affine');
  const x = g.input('X', 'float32', ['N', 3]);
  const w = g.input('W', 'float32', [3, 4]);
  const b = g.initializer('B', tensor('float32', [4], bias));
  g.output(g.op('Add', [g.op('MatMul', [x, w]), b]), 'Y');
  return serializeModel(g.model());
}

/** Y[2, 2] = exp(X) · X + X in float64 (ORT has float64 kernels for these). */
export function float64Model(): Uint8Array {
  const g = new GraphBuilder('f64');
  const x = g.input('X', 'float64', [2, 2]);
  g.output(g.op('Add', [g.op('MatMul', [g.op('Exp', [x]), x]), x]), 'Y');
  return serializeModel(g.model());
}

/** Embedding lookup: E[K, 2] = Gather(table[5, 2], ids int64 [K]); also returns ids + 1. */
export function gatherModel(): Uint8Array {
  const g = new GraphBuilder('gather');
  const table = g.initializer('table', tensor('float32', [5, 2], [0, 1, 10, 11, 20, 21, 30, 31, 40, 41]));
  const ids = g.input('ids', 'int64', ['K']);
  g.output(g.op('Gather', [table, ids], { axis: attr.int(0) }), 'E');
  g.output(g.op('Add', [ids, g.constant(tensor('int64', [], [1]))]), 'next');
  return serializeModel(g.model());
}

/**
 * One SGD step on flat buffers, the way training graphs take parameters:
 * P'[total] = P - lr · G, and for every layout entry the sum of squares of its slice of P' (so the
 * graph really slices the flat buffer at the layout's offsets).
 */
export function flatSgdModel(layout: FlatLayout): Uint8Array {
  const g = new GraphBuilder('flat_sgd');
  const p = g.input('params', 'float32', [layout.total]);
  const grad = g.input('grads', 'float32', [layout.total]);
  const lr = g.input('lr', 'float32', []);
  const next = g.op('Sub', [p, g.op('Mul', [grad, lr])], {}, { names: ['new_params'] });
  g.output(next);
  for (const e of layout.entries) {
    const slice = g.op('Slice', [next, g.i64([e.offset]), g.i64([e.offset + e.size]), g.i64([0])]); // [size]
    const shaped = g.op('Reshape', [slice, g.i64(e.dims.length ? [...e.dims] : [])]); // e.dims
    g.output(g.op('ReduceSum', [g.op('Mul', [shaped, shaped])], { keepdims: attr.int(0) }), `sumsq:${e.name}`);
  }
  return serializeModel(g.model());
}
