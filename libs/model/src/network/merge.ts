import { CoinError } from '@coin/core';
import type { TensorData } from '@coin/onnx';
import { isAdapterName } from '../internal-names.js';
import { type AdapterConfig, adapterScaling } from './adapters.js';

/**
 * Folds LoRA into the base weights for inference, as CoIN's eval loader does (W ← W + s·A·B, our
 * [in, out] layout), computed in float64 and rounded once. The adapter tensors are dropped.
 * MoELoRA cannot be merged (its gate depends on the input): those weights are returned unchanged
 * and the adapter must be applied in the graph. A module with only one of A and B, or with
 * shapes that disagree, is refused rather than dropped.
 */
export function mergeLora(weights: ReadonlyMap<string, TensorData>, adapter: AdapterConfig): Map<string, TensorData> {
  if (adapter.kind !== 'lora') return new Map(weights);
  const out = new Map([...weights].filter(([n]) => !isAdapterName(n)));
  const s = adapterScaling(adapter);
  for (const path of adapterModules(weights)) {
    const { a, b, w } = moduleTensors(weights, path, adapter.rank);
    const [fin, r] = a.dims;
    const fout = b.dims[1];
    const A = a.data as Float32Array;
    const B = b.data as Float32Array;
    const W = w.data as Float32Array;
    const merged = new Float32Array(W.length);
    for (let i = 0; i < fin; i++) {
      for (let o = 0; o < fout; o++) {
        let acc = 0;
        for (let k = 0; k < r; k++) acc += A[i * r + k] * B[k * fout + o];
        merged[i * fout + o] = W[i * fout + o] + s * acc;
      }
    }
    out.set(`${path}.weight`, { dtype: 'float32', dims: w.dims, data: merged });
  }
  return out;
}

/** The module paths (`layers.0.attn.q`) that have any LoRA tensor. */
function adapterModules(weights: ReadonlyMap<string, TensorData>): Set<string> {
  const paths = new Set<string>();
  for (const name of weights.keys()) {
    if (name.endsWith('.lora_router')) {
      throw new CoinError(
        'ADAPTER.INVALID',
        'INVALID_ARGUMENT',
        `cannot merge ${name}: a router only exists in MoELoRA adapters`,
        { hint: 'Merge with the adapter config the weights were trained with.' },
      );
    }
    for (const part of ['.lora_A', '.lora_B']) if (name.endsWith(part)) paths.add(name.slice(0, -part.length));
  }
  return paths;
}

/** A [in, r], B [r, out] and W [in, out] of one module, all float32, with r the adapter's rank. */
function moduleTensors(
  weights: ReadonlyMap<string, TensorData>,
  path: string,
  rank: number,
): { a: TensorData; b: TensorData; w: TensorData } {
  const get = (name: string): TensorData => {
    const t = weights.get(name);
    if (!t)
      throw new CoinError('ADAPTER.INCOMPLETE', 'INVALID_ARGUMENT', `cannot merge ${path}: ${name} is missing`, {
        hint: 'A LoRA module needs lora_A, lora_B and its base weight.',
      });
    if (t.dtype !== 'float32') {
      throw new CoinError(
        'ADAPTER.BAD_DTYPE',
        'INVALID_ARGUMENT',
        `cannot merge ${path}: ${name} is ${t.dtype}, merging needs float32`,
        {
          hint: 'Load adapters with loadAdapterCheckpoint, which widens float16 and bfloat16 tensors to float32.',
        },
      );
    }
    return t;
  };
  const [a, b, w] = [get(`${path}.lora_A`), get(`${path}.lora_B`), get(`${path}.weight`)];
  const bad = (what: string) =>
    new CoinError(
      'ADAPTER.BAD_SHAPE',
      'INVALID_ARGUMENT',
      `cannot merge ${path}: ${what} (lora_A [${a.dims.join(', ')}], lora_B [${b.dims.join(', ')}], weight [${w.dims.join(', ')}]; expected [in, r], [r, out], [in, out] with r = rank ${rank})`,
    );
  if (w.dims.length !== 2) throw bad(`${path}.weight is not a matrix`);
  const [fin, fout] = w.dims;
  if (a.dims.length !== 2 || a.dims[0] !== fin || a.dims[1] !== rank) throw bad(`${path}.lora_A does not fit`);
  if (b.dims.length !== 2 || b.dims[0] !== rank || b.dims[1] !== fout) throw bad(`${path}.lora_B does not fit`);
  return { a, b, w };
}
