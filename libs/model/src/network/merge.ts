import { CoinError } from '@coin/core';
import type { TensorData } from '@coin/onnx';
import { isAdapterName } from '../checkpoint/internal-names.js';
import { type AdapterConfig, adapterScaling } from './adapters.js';

/**
 * Folds LoRA into the base weights for inference, as CoIN's eval loader does (W ← W + s·A·B, our
 * [in, out] layout), computed in float64 and rounded once. The adapter tensors are dropped.
 * MoELoRA cannot be merged (its gate depends on the input): those weights are returned unchanged
 * and the adapter must be applied in the graph.
 */
export function mergeLora(weights: ReadonlyMap<string, TensorData>, adapter: AdapterConfig): Map<string, TensorData> {
  if (adapter.kind !== 'lora') return new Map(weights);
  const out = new Map([...weights].filter(([n]) => !isAdapterName(n)));
  const s = adapterScaling(adapter);
  for (const [name, a] of weights) {
    if (!name.endsWith('.lora_A')) continue;
    const path = name.slice(0, -'.lora_A'.length);
    const b = weights.get(`${path}.lora_B`);
    const w = weights.get(`${path}.weight`);
    if (!b || !w) throw new CoinError('ADAPTER.INCOMPLETE', 'INVALID_ARGUMENT', `cannot merge ${path}: ${!b ? 'lora_B' : 'base weight'} is missing`);
    for (const [part, t] of [['lora_A', a], ['lora_B', b], ['weight', w]] as const) {
      if (t.dtype !== 'float32') {
        throw new CoinError('ADAPTER.BAD_DTYPE', 'INVALID_ARGUMENT', `cannot merge ${path}: ${path}.${part} is ${t.dtype}, merging needs float32`, {
          hint: 'Load adapters with loadAdapterCheckpoint, which widens float16 and bfloat16 tensors to float32.',
        });
      }
    }
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
