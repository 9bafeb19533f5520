import { invalidArgument } from '@coin/core';
import { PRESETS } from '@coin/model';

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** How a preset's base model is pretrained. */
export interface PretrainHyper {
  /** Optimizer steps. */
  readonly steps: number;
  /** Samples per step. */
  readonly batch: number;
  /** Peak learning rate (every weight trains from scratch: a from-scratch rate, not CoIN's 2e-4). */
  readonly lr: number;
  /** Linear warm-up over this fraction of the steps, then cosine decay to 0. */
  readonly warmupRatio: number;
  /** Fraction of the image captions held out for the reported caption loss. */
  readonly heldOutFraction: number;
  /** Steps of the vision tower's warm-up on labelled scenes before captioning (0: none). */
  readonly visionWarmupSteps: number;
  /** Scenes per warm-up step. */
  readonly visionWarmupBatch: number;
  /** Peak warm-up rate (linear warm-up over 3 %, then cosine to 0). */
  readonly visionWarmupLr: number;
}

/**
 * Per-preset defaults. tiny's captioning takes 600 steps: without the vision warm-up, at 300 its
 * captions named an object's colour in 4 of 64 close-ups and its class in 2 (blind, in effect); at
 * 600 in 43 and 10, and the held-out caption loss fell from 0.72 to 0.61 (2:10 on an idle machine).
 * 1800 steps gained little (class 20 of 64, loss 0.58) while the training loss fell to 0.33: the
 * corpus was being memorised, and the tower, reached only through the decoder, was the limit.
 * The warm-up (vision-warmup.ts) trains the tower on fresh labelled scenes first: tiny's 1500 steps
 * of 32 take about 2.5 min and raise held-out object patches whose class the heads name from 8 % to
 * 76 % (colour 15 % to 96 %; 1000 steps gave 56 % class); captioning then ends at a held-out loss of
 * 0.54 (1.25 blind). micro: captioning 71 s, 5.97 → 0.41; its 100 warm-up steps take seconds.
 * small's are not measured against a budget.
 */
const CAPTIONING = { batch: 16, warmupRatio: 0.03, heldOutFraction: 0.05 } as const;

export const PRETRAIN_DEFAULTS: Readonly<Record<PresetName, PretrainHyper>> = {
  micro: { ...CAPTIONING, steps: 300, lr: 3e-3, visionWarmupSteps: 100, visionWarmupBatch: 16, visionWarmupLr: 3e-3 },
  tiny: { ...CAPTIONING, steps: 600, lr: 2e-3, visionWarmupSteps: 1500, visionWarmupBatch: 32, visionWarmupLr: 3e-3 },
  small: { ...CAPTIONING, steps: 600, lr: 1e-3, visionWarmupSteps: 1500, visionWarmupBatch: 32, visionWarmupLr: 2e-3 },
};

export function presetName(text: string): PresetName {
  if (!(PRESET_NAMES as string[]).includes(text)) {
    throw invalidArgument(
      'PRETRAIN.BAD_PRESET',
      `unknown preset ${JSON.stringify(text)}`,
      `choose one of ${PRESET_NAMES.join(', ')}`,
    );
  }
  return text as PresetName;
}

/** The preset's defaults with overrides, each checked (a bad value is a usage error, exit 2). */
export function pretrainHyper(preset: PresetName, overrides: Partial<PretrainHyper> = {}): PretrainHyper {
  const h = { ...PRETRAIN_DEFAULTS[preset], ...overrides };
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1)
      throw invalidArgument('PRETRAIN.BAD_OPTION', `${name} must be a positive integer, got ${v}`);
  };
  positiveInt('steps', h.steps);
  positiveInt('batch', h.batch);
  positiveInt('visionWarmupBatch', h.visionWarmupBatch);
  if (!Number.isInteger(h.visionWarmupSteps) || h.visionWarmupSteps < 0)
    throw invalidArgument(
      'PRETRAIN.BAD_OPTION',
      `visionWarmupSteps must be a whole number, got ${h.visionWarmupSteps}`,
    );
  if (!(h.visionWarmupLr > 0 && Number.isFinite(h.visionWarmupLr)))
    throw invalidArgument('PRETRAIN.BAD_OPTION', `visionWarmupLr must be > 0, got ${h.visionWarmupLr}`);
  if (!(h.lr > 0 && Number.isFinite(h.lr))) throw invalidArgument('PRETRAIN.BAD_OPTION', `lr must be > 0, got ${h.lr}`);
  if (!(h.warmupRatio >= 0 && h.warmupRatio < 1))
    throw invalidArgument('PRETRAIN.BAD_OPTION', `warmupRatio must be in [0, 1), got ${h.warmupRatio}`);
  if (!(h.heldOutFraction > 0 && h.heldOutFraction < 0.5))
    throw invalidArgument('PRETRAIN.BAD_OPTION', `heldOutFraction must be in (0, 0.5), got ${h.heldOutFraction}`);
  return h;
}
