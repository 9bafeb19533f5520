import type { GraphBuilder, Value } from '@coin/onnx';
import { scalarLike } from '../helpers.js';

/** GELU, exact form: 0.5·x·(1 + erf(x/√2)). ORT has no float64 Erf, so its gradient check runs in float32. */
export function geluErf(b: GraphBuilder, x: Value): Value {
  const inner = b.op('Erf', [b.op('Mul', [x, scalarLike(b, x, Math.SQRT1_2)])]);
  return b.op('Mul', [b.op('Mul', [x, scalarLike(b, x, 0.5)]), b.op('Add', [inner, scalarLike(b, x, 1)])]);
}

/** SiLU: x·σ(x). */
export function silu(b: GraphBuilder, x: Value): Value {
  return b.op('Mul', [x, b.op('Sigmoid', [x])]);
}
