import type { GraphBuilder, Value } from '@coin/onnx';

/** The last entry along `axis`, kept as a dimension of 1 (the newest token of a left-padded batch). */
export function lastAlong(b: GraphBuilder, t: Value, axis: number): Value {
  return b.op('Slice', [t, b.i64([-1]), b.i64([2 ** 31]), b.i64([axis])]);
}
