import { type AdapterConfig, adapterConfig, LINEAR_TARGETS, PRESETS } from '@coin/model';
import { carriedAdapterSetup, scaledRank } from './adapter-setup.js';
import { numberFlag } from './flags.js';
import type { ContinualMethod, MethodFlag, PresetName } from './method.js';

export interface LoraHyper {
  readonly rank: number;
  readonly alpha: number;
  readonly dropout: number;
  readonly [key: string]: number;
}

/** CoIN's r 128 / α 256 / dropout 0.05 on every linear, scaled to the preset's width (scaledRank). */
export function loraDefaults(preset: PresetName): LoraHyper {
  const rank = scaledRank(PRESETS[preset].decoder.dim);
  return { rank, alpha: 2 * rank, dropout: 0.05 };
}

export const LORA_FLAGS = [
  numberFlag<LoraHyper>('lora', 'lora-rank', 'rank', 'LoRA rank r (default: CoIN’s 128 scaled to the width)', {
    integer: true,
    min: 1,
  }),
  numberFlag<LoraHyper>('lora', 'lora-alpha', 'alpha', 'LoRA alpha; the update is scaled by alpha / r (default 2r)', {
    min: Number.MIN_VALUE,
  }),
  numberFlag<LoraHyper>('lora', 'lora-dropout', 'dropout', 'dropout on the LoRA input (CoIN 0.05)', {
    min: 0,
    below: 1,
  }),
];

/**
 * `lora`'s flags (--lora-rank, --lora-alpha, --lora-dropout) for a method built on it. They set only
 * lora's keys, which every hyper-parameter set extending LoraHyper has; the cast says so.
 */
export function loraFlags<H extends LoraHyper>(): readonly MethodFlag<H>[] {
  return LORA_FLAGS as unknown as readonly MethodFlag<H>[];
}

/** The adapter `lora`'s hyper-parameters describe: CoIN's LoRA on every linear of the decoder. */
export function loraAdapter(h: LoraHyper): AdapterConfig {
  return adapterConfig({ kind: 'lora', rank: h.rank, alpha: h.alpha, dropout: h.dropout, targets: LINEAR_TARGETS });
}

/**
 * CoIN's baseline: one LoRA on every linear of the decoder plus the projector, trained through all
 * stages in order and never merged between them (docs/protocol.md#stage-chaining).
 */
export const lora: ContinualMethod<LoraHyper> = {
  name: 'lora',
  summary: 'one LoRA carried through every stage (CoIN’s baseline)',
  evaluation: 'merged',
  flags: LORA_FLAGS,
  defaults: loraDefaults,
  prepareStage: (ctx) => carriedAdapterSetup(ctx, loraAdapter(ctx.hyper)),
};
