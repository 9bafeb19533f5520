import { type AdapterConfig, adapterConfig, LINEAR_TARGETS } from '@coin/model';
import { LORA_FLAGS, type LoraHyper } from './lora.js';
import type { MethodFlag } from './method.js';

/** The adapter `lora`'s hyper-parameters describe: CoIN's LoRA on every linear of the decoder. */
export function loraAdapter(h: LoraHyper): AdapterConfig {
  return adapterConfig({ kind: 'lora', rank: h.rank, alpha: h.alpha, dropout: h.dropout, targets: LINEAR_TARGETS });
}

/**
 * `lora`'s flags (--lora-rank, --lora-alpha, --lora-dropout) for a method built on it. They set only
 * lora's keys, which every hyper-parameter set extending LoraHyper has; the cast says so.
 */
export function loraFlags<H extends LoraHyper>(): readonly MethodFlag<H>[] {
  return LORA_FLAGS as unknown as readonly MethodFlag<H>[];
}
