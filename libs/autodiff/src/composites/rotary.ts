import { type DType, type GraphBuilder, tensor, type Value } from '@coin/onnx';

/**
 * Rotary position embedding (LLaMA, half-split convention) in the form with the fewest nodes:
 * rope(x) = x ⊙ cos + (x · R) ⊙ sin, where cos/sin repeat each frequency over both halves of the
 * head dimension and R is the constant "rotate half" matrix, (x·R) = (−x₂, x₁). Four nodes instead
 * of split / four products / concat; the MatMul by R also carries the gradient (R is constant).
 */
export interface RotaryTables {
  readonly cos: Value; // broadcastable to [B, H, T, D]
  readonly sin: Value;
  readonly rotate: Value; // [D, D]
}

/** cos/sin of position·θ_i (θ_i = base^(−2i/D)) for `positions` positions, each [positions, D]. */
export function rotaryTables(
  b: GraphBuilder,
  positions: number,
  headDim: number,
  dtype: DType = 'float32',
  base = 10000,
): RotaryTables {
  const half = headDim / 2;
  const cos = new Array<number>(positions * headDim);
  const sin = new Array<number>(positions * headDim);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * Math.pow(base, (-2 * i) / headDim);
      cos[p * headDim + i] = cos[p * headDim + half + i] = Math.cos(angle);
      sin[p * headDim + i] = sin[p * headDim + half + i] = Math.sin(angle);
    }
  }
  const rotate = new Array<number>(headDim * headDim).fill(0);
  for (let i = 0; i < half; i++) {
    rotate[(half + i) * headDim + i] = -1; // output i takes −x[half + i]
    rotate[i * headDim + half + i] = 1; // output half + i takes x[i]
  }
  return {
    cos: b.constant(tensor(dtype, [positions, headDim], cos), 'rope_cos'),
    sin: b.constant(tensor(dtype, [positions, headDim], sin), 'rope_sin'),
    rotate: b.constant(tensor(dtype, [headDim, headDim], rotate), 'rope_rotate'),
  };
}

/** Rotates x [B, H, T, D] by tables broadcastable to it. */
export function applyRotary(b: GraphBuilder, x: Value, r: RotaryTables): Value {
  return b.op('Add', [b.op('Mul', [x, r.cos]), b.op('Mul', [b.op('MatMul', [x, r.rotate]), r.sin])]);
}
