import { attr, type DType, type GraphBuilder, tensor, type Value } from '@coin/onnx';

/**
 * Rotary position tables (LLaMA, half-split convention): cos/sin of position·θ_i with
 * θ_i = base^(−2i/D), each [positions, D/2].
 */
export function rotaryTables(b: GraphBuilder, positions: number, headDim: number, dtype: DType = 'float32', base = 10000): { cos: Value; sin: Value } {
  const half = headDim / 2;
  const cos = new Array<number>(positions * half);
  const sin = new Array<number>(positions * half);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * Math.pow(base, (-2 * i) / headDim);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return {
    cos: b.constant(tensor(dtype, [positions, half], cos), 'rope_cos'),
    sin: b.constant(tensor(dtype, [positions, half], sin), 'rope_sin'),
  };
}

/**
 * Rotates x [B, H, T, D] by cos/sin broadcastable to [B, H, T, D/2]:
 * (x₁, x₂) → (x₁·cos − x₂·sin, x₂·cos + x₁·sin), x₁/x₂ the two halves of the head dimension.
 */
export function applyRotary(b: GraphBuilder, x: Value, cos: Value, sin: Value): Value {
  const d = (x.shape as number[])[3];
  const [x1, x2] = b.opN('Split', [x, b.i64([d / 2, d / 2])], 2, { axis: attr.int(-1) }); // [B, H, T, D/2] each
  const r1 = b.op('Sub', [b.op('Mul', [x1, cos]), b.op('Mul', [x2, sin])]);
  const r2 = b.op('Add', [b.op('Mul', [x2, cos]), b.op('Mul', [x1, sin])]);
  return b.op('Concat', [r1, r2], { axis: attr.int(-1) });
}
