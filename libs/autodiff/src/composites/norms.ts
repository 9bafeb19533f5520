import type { GraphBuilder, Value } from '@coin/onnx';
import { scalarLike } from '../helpers.js';
import { reduceMean } from '../ops/reduce-mean.js';

/**
 * LayerNorm over the last axis, from primitives (its gradient follows from theirs):
 * y = (x − mean) / √(var + eps) ⊙ γ + β.
 */
export function layerNorm(b: GraphBuilder, x: Value, gamma: Value, beta: Value | undefined, eps = 1e-5): Value {
  const mean = reduceMean(b, x, [-1]); // [..., 1]
  const centered = b.op('Sub', [x, mean]);
  const variance = reduceMean(b, b.op('Mul', [centered, centered]), [-1]);
  const rstd = b.op('Div', [scalarLike(b, x, 1), b.op('Sqrt', [b.op('Add', [variance, scalarLike(b, x, eps)])])]);
  const scaled = b.op('Mul', [b.op('Mul', [centered, rstd]), gamma]);
  return beta ? b.op('Add', [scaled, beta]) : scaled;
}

/**
 * RMSNorm (LLaMA): y = x / √(mean(x²) + eps) ⊙ γ, written as Pow → ReduceMean → Add → Sqrt → Div
 * → Mul: the exact shape ONNX Runtime's SimplifiedLayerNormFusion recognises, so inference graphs
 * run it as one fused kernel (training graphs keep the pieces, whose outputs backward reuses).
 */
export function rmsNorm(b: GraphBuilder, x: Value, gamma: Value, eps = 1e-6): Value {
  const ms = reduceMean(b, b.op('Pow', [x, scalarLike(b, x, 2)]), [-1]); // [..., 1]
  const rms = b.op('Sqrt', [b.op('Add', [ms, scalarLike(b, x, eps)])]);
  return b.op('Mul', [b.op('Div', [x, rms]), gamma]);
}
