import { CoinError } from '@coin/core';
import { attr, type GraphBuilder, type TensorData, tensor, type Value } from '@coin/onnx';
import { sumTerms } from './sum-terms.js';

/**
 * O-LoRA's orthogonality penalty (Wang et al. 2023): λ · Σ_modules ‖A_earlierᵀ · A_new‖²_F, with
 * A stored [in, r] (x·A), so row i, column j of the [r_earlier, r_new] overlap is the inner product
 * of earlier direction i with new direction j. The earlier stages' A of one module are
 * concatenated along r into one constant [in, Σr], one MatMul per module.
 *
 * Squared Frobenius rather than the paper code's Σ|·| (L1): it is smooth, so its gradient is
 * defined at the orthogonal point the penalty drives towards (L1's is not, and its subgradient
 * chatters there), and it is what the finite-difference check can verify. Both are zero exactly
 * when the subspaces are orthogonal. `earlier` maps the new A's parameter name to the earlier A's.
 * Undefined when there is no earlier adapter (the first stage).
 */
export function orthogonalityPenalty(
  b: GraphBuilder,
  params: ReadonlyMap<string, Value>,
  earlier: ReadonlyMap<string, readonly TensorData[]>,
  lambda: number,
): Value | undefined {
  const terms: Value[] = [];
  for (const [name, previous] of earlier) {
    const a = params.get(name);
    if (!a || previous.length === 0) continue;
    const fin = (a.shape as number[])[0];
    const old = b.constant(concatColumns(previous, fin, a.dtype), 'olora_prev_A'); // [in, R]
    const oldT = b.op('Transpose', [old], { perm: attr.ints([1, 0]) }); // [R, in]
    const overlap = b.op('MatMul', [oldT, a]); // [R, r_new]
    terms.push(b.op('ReduceSum', [b.op('Mul', [overlap, overlap])], { keepdims: attr.int(0) })); // []
  }
  const total = sumTerms(b, terms);
  return total && b.op('Mul', [total, b.scalar(total.dtype, lambda)]);
}

/** [in, r_1] … [in, r_k] side by side as [in, Σr], in the requested dtype. */
function concatColumns(parts: readonly TensorData[], fin: number, dtype: Value['dtype']): TensorData {
  const widths = parts.map((p) => p.dims[1]);
  const total = widths.reduce((x, y) => x + y, 0);
  const out = new Float64Array(fin * total);
  let col = 0;
  parts.forEach((p, k) => {
    if (p.dims.length !== 2 || p.dims[0] !== fin)
      throw new CoinError(
        'METHOD.STATE_MISMATCH',
        'FAILED_PRECONDITION',
        `an earlier stage's lora_A is [${p.dims.join(', ')}], the new one needs [${fin}, r]`,
        { hint: 'The carried adapters belong to another model; restart the run from stage 1.' },
      );
    const src = p.data as Float32Array | Float64Array;
    for (let i = 0; i < fin; i++) for (let j = 0; j < widths[k]; j++) out[i * total + col + j] = src[i * widths[k] + j];
    col += widths[k];
  });
  return tensor(dtype, [fin, total], out);
}
