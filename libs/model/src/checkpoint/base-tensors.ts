import { type HostTensor } from '@coin/runtime';
import { hfBaseName, internalBaseName } from './hf-names.js';
import { transpose2d } from './layout.js';

/**
 * Decoder and projector weights between our internal names/layout and Hugging Face LLaMA/LLaVA
 * names/layout (linears transposed, see internal-names.ts). Used for base-model checkpoints and
 * for importing a real model's safetensors. Unknown names are CoinErrors unless `skip` matches
 * them (e.g. /^model\.vision_tower\./ when importing a full LLaVA checkpoint).
 */
export function internalTensorsToHf(weights: ReadonlyMap<string, HostTensor>): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, t] of weights) {
    const { name: hf, transpose } = hfBaseName(name);
    out[hf] = transpose ? transpose2d(t, name) : t;
  }
  return out;
}

export function hfTensorsToInternal(
  tensors: Readonly<Record<string, HostTensor>>,
  options: { readonly skip?: RegExp; readonly source?: string } = {},
): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [key, t] of Object.entries(tensors)) {
    if (options.skip?.test(key)) continue;
    const name = internalBaseName(key, options.source);
    out.set(name, hfBaseName(name).transpose ? transpose2d(t, name) : t);
  }
  return out;
}
