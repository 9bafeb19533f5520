import { CoinError } from '@coin/core';
import type { TensorData } from '@coin/onnx';

/**
 * The diagonal empirical Fisher of one stage: the mean of squared gradients over the stage's
 * batches, F_i = 1/K · Σ_k g_{k,i}². Each g_k is the gradient of a batch's mean loss (the runner's
 * `gradient(batch)`), so with batches larger than 1 this is the empirical Fisher of mini-batches,
 * which is smaller than the per-sample one by up to the batch size where the samples' gradients
 * disagree; EWC's λ absorbs the scale, and batch 1 for the Fisher pass recovers the per-sample
 * estimate where it is cheap enough. Accumulated in float64 (thousands of small squares).
 */
export class FisherEstimate {
  private readonly sums: Map<string, Float64Array>;
  private count = 0;

  /** `dims`: the parameters to estimate, by name. */
  constructor(private readonly dims: ReadonlyMap<string, readonly number[]>) {
    this.sums = new Map([...dims].map(([n, d]) => [n, new Float64Array(d.reduce((a, x) => a * x, 1))]));
  }

  /** One batch's gradient, by name (names not estimated are ignored). */
  add(grad: ReadonlyMap<string, Float32Array>): void {
    for (const [name, sum] of this.sums) {
      const g = grad.get(name);
      if (!g || g.length !== sum.length)
        throw new RangeError(`the gradient of ${name} has ${g?.length ?? 0} values, the parameter ${sum.length}`);
      for (let i = 0; i < g.length; i++) sum[i] += g[i] * g[i];
    }
    this.count += 1;
  }

  get batches(): number {
    return this.count;
  }

  /** The mean, per parameter name (float32, the parameter's dims). */
  byName(): Map<string, TensorData> {
    const scale = this.count === 0 ? 0 : 1 / this.count;
    return new Map(
      [...this.sums].map(([name, sum]) => [
        name,
        { dtype: 'float32', dims: this.dims.get(name)!, data: Float32Array.from(sum, (x) => x * scale) },
      ]),
    );
  }
}

/**
 * The Fisher carried to the next stage: the running SUM of every finished stage's Fisher (online
 * EWC with γ = 1, Schwarz et al. 2018), anchored at the latest weights. A sum keeps each past
 * task's importance at full weight however many tasks follow, as Kirkpatrick's one-penalty-per-task
 * form does; a mean would divide task 1's importance by t at stage t + 1 and let old tasks fade.
 * A parameter the new stage's Fisher lacks keeps its old value; one only the new stage has is added.
 */
export function accumulateFisher(
  carried: ReadonlyMap<string, TensorData> | undefined,
  stage: ReadonlyMap<string, TensorData>,
): Map<string, TensorData> {
  const out = new Map(carried ?? []);
  for (const [name, f] of stage) {
    const old = out.get(name);
    if (!old) {
      out.set(name, f);
      continue;
    }
    if (old.dims.join() !== f.dims.join())
      throw new CoinError(
        'METHOD.STATE_MISMATCH',
        'FAILED_PRECONDITION',
        `the carried Fisher of ${name} is [${old.dims.join(', ')}], this stage's is [${f.dims.join(', ')}]`,
        { hint: 'The carried EWC state belongs to another model or adapter; restart the run from stage 1.' },
      );
    const a = old.data as Float32Array;
    const b = f.data as Float32Array;
    const data = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) data[i] = a[i] + b[i];
    out.set(name, { dtype: 'float32', dims: f.dims, data });
  }
  return out;
}
