import { CoinError } from '@coin/core';
import { attr, type GraphBuilder, type TensorData, tensor, type Value } from '@coin/onnx';
import { sumTerms } from './sum-terms.js';

/** What EWC anchors one parameter to: its importance F (diagonal Fisher) and its old value θ*. */
export interface EwcAnchor {
  readonly fisher: TensorData; // same dims as the parameter
  readonly theta: TensorData; // same dims as the parameter
}

/**
 * EWC's quadratic penalty (Kirkpatrick et al. 2017): λ/2 · Σ_i F_i (θ_i − θ*_i)² over every
 * parameter that has an anchor, F and θ* baked in as constants. Parameters without an anchor
 * (new this stage, or started fresh) are free. Built in the parameters' dtype so the float64
 * gradient check runs this very code. Undefined when nothing is anchored (the first stage).
 */
export function ewcPenalty(
  b: GraphBuilder,
  params: ReadonlyMap<string, Value>,
  anchors: ReadonlyMap<string, EwcAnchor>,
  lambda: number,
): Value | undefined {
  const terms: Value[] = [];
  for (const [name, p] of params) {
    const anchor = anchors.get(name);
    if (!anchor) continue;
    const fisher = b.constant(like(anchor.fisher, p, name), 'ewc_fisher'); // [...p]
    const theta = b.constant(like(anchor.theta, p, name), 'ewc_theta'); // [...p]
    const diff = b.op('Sub', [p, theta]); // [...p]
    const weighted = b.op('Mul', [fisher, b.op('Mul', [diff, diff])]); // [...p]
    terms.push(b.op('ReduceSum', [weighted], { keepdims: attr.int(0) })); // []
  }
  const total = sumTerms(b, terms);
  return total && b.op('Mul', [total, b.scalar(total.dtype, lambda / 2)]);
}

/** The anchor tensor in the parameter's dtype (float32 on the host, float64 in the checks). */
function like(t: TensorData, p: Value, name: string): TensorData {
  const dims = p.shape as number[];
  if (t.dims.join() !== dims.join())
    throw new CoinError(
      'METHOD.STATE_MISMATCH',
      'FAILED_PRECONDITION',
      `EWC's anchor for ${name} is [${t.dims.join(', ')}], the parameter is [${dims.join(', ')}]`,
      { hint: 'The carried Fisher belongs to another model or adapter; restart the run from stage 1.' },
    );
  return t.dtype === p.dtype ? t : tensor(p.dtype, dims, t.data as Float32Array);
}
