import type { GraphBuilder, Value } from '@coin/onnx';
import { scalarLike } from '../helpers.js';

/** GELU, exact form: 0.5·x·(1 + erf(x/√2)). ORT has no float64 Erf: use the tanh form in float64. */
export function geluErf(b: GraphBuilder, x: Value): Value {
  const inner = b.op('Erf', [b.op('Mul', [x, scalarLike(b, x, Math.SQRT1_2)])]);
  return b.op('Mul', [b.op('Mul', [x, scalarLike(b, x, 0.5)]), b.op('Add', [inner, scalarLike(b, x, 1)])]);
}

/** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh(b: GraphBuilder, x: Value): Value {
  const cube = b.op('Mul', [b.op('Mul', [x, x]), x]);
  const arg = b.op('Mul', [
    b.op('Add', [x, b.op('Mul', [cube, scalarLike(b, x, 0.044715)])]),
    scalarLike(b, x, Math.sqrt(2 / Math.PI)),
  ]);
  return b.op('Mul', [
    b.op('Mul', [x, scalarLike(b, x, 0.5)]),
    b.op('Add', [b.op('Tanh', [arg]), scalarLike(b, x, 1)]),
  ]);
}

/** SiLU: x·σ(x). */
export function silu(b: GraphBuilder, x: Value): Value {
  return b.op('Mul', [x, b.op('Sigmoid', [x])]);
}

/** SwiGLU feed-forward (LLaMA): down(silu(x·W_gate) ⊙ (x·W_up)). Weights [in, out]. */
export function swiglu(b: GraphBuilder, x: Value, wGate: Value, wUp: Value, wDown: Value): Value {
  const gate = silu(b, b.op('MatMul', [x, wGate])); // [..., F]
  const up = b.op('MatMul', [x, wUp]); // [..., F]
  return b.op('MatMul', [b.op('Mul', [gate, up]), wDown]); // [..., C]
}
