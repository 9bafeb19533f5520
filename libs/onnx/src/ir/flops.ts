import { isStatic } from '../shape/dims.js';
import { getInt, type Graph, type Value } from './graph.js';

function staticDims(v: Value | undefined): number[] | undefined {
  if (!v?.shape || !isStatic(v.shape)) return undefined;
  return v.shape as number[];
}

/**
 * Floating-point operations of every MatMul and Gemm in a graph (2·M·K·N per product, times the
 * broadcast batch), from the inferred shapes. This is what "achieved GFLOP/s" counts; elementwise
 * work is left out, as it is in MFU figures. Throws when a product's shape is not static.
 */
export function countMatmulFlops(graph: Graph): number {
  const values = new Map<string, Value>(
    [...graph.inputs, ...graph.outputs, ...graph.valueInfo.values()].map((v) => [v.name, v]),
  );
  for (const [name, t] of graph.initializers) values.set(name, { name, dtype: t.dtype, shape: t.dims });
  let flops = 0;
  for (const node of graph.nodes) {
    if (node.opType !== 'MatMul' && node.opType !== 'Gemm') continue;
    const a = staticDims(values.get(node.inputs[0]));
    const y = staticDims(values.get(node.outputs[0]));
    if (!a || !y) throw new Error(`countMatmulFlops: ${node.name} has no static shapes`);
    let k: number;
    if (node.opType === 'Gemm') k = getInt(node.attributes, 'transA', 0) ? a[0] : a[1];
    else k = a[a.length - 1];
    const outputs = y.reduce((p, d) => p * d, 1);
    flops += 2 * outputs * k;
  }
  return flops;
}
