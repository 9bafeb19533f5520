import { type AdapterConfig, adapterConfig, initAdapter, trainableNames } from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { methodFlagError, type PresetName, type StageContext, type StageSetup } from './method.js';

/**
 * The adapter the regularisation methods (replay, ewc, lwf, olora) train: CoIN's LoRA on all seven
 * linears with α = 2r and dropout 0.05, its rank scaled to the preset's width (CoIN: r 128 on a
 * 4096-wide LLaMA; r must stay well below micro's width 48). Same rank per preset as `lora`, so the
 * rows of a results table differ only in the method.
 */
export type LoraHyper = {
  readonly rank: number;
  readonly alpha: number;
  readonly dropout: number;
};

const RANK: Readonly<Record<PresetName, number>> = { micro: 8, tiny: 16, small: 32 };

export function loraDefaults(preset: PresetName): LoraHyper {
  const rank = RANK[preset];
  return { rank, alpha: 2 * rank, dropout: 0.05 };
}

export function loraAdapter(h: LoraHyper): AdapterConfig {
  return adapterConfig({
    kind: 'lora',
    rank: h.rank,
    alpha: h.alpha,
    dropout: h.dropout,
    targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  });
}

/**
 * One LoRA carried through every stage (docs/protocol.md#stage-chaining): created at stage 1 from
 * the run's seed, afterwards taken from `ctx.start`, which holds what the previous stage trained.
 */
export function carriedLoraStage(ctx: StageContext<LoraHyper, unknown>): StageSetup {
  const adapter = loraAdapter(ctx.hyper);
  const weights = new Map(ctx.start);
  if (ctx.stage === 1) for (const [n, t] of initAdapter(ctx.config.decoder, adapter, ctx.seed)) weights.set(n, t);
  return splitTrainable(weights, adapter);
}

/** `weights` split into what trains under `adapter` (adapter + projector) and what is frozen. */
export function splitTrainable(weights: ReadonlyMap<string, TensorData>, adapter: AdapterConfig): StageSetup {
  const names = new Set(trainableNames(weights, adapter));
  const initialWeights = new Map([...weights].filter(([n]) => names.has(n)));
  const frozenWeights = new Map([...weights].filter(([n]) => !names.has(n)));
  return { adapter, initialWeights, frozenWeights };
}

/** A `--<name> X` flag holding a number in [min, max] (integer when asked). */
export function numberFlag<K extends string>(
  method: string,
  name: string,
  key: K,
  help: string,
  range: { min: number; max?: number; integer?: boolean; exclusiveMin?: boolean },
) {
  return {
    name,
    key,
    help,
    parse: (raw: string): number => {
      const x = raw.trim() === '' ? Number.NaN : Number(raw);
      const low = range.exclusiveMin ? x > range.min : x >= range.min;
      const ok =
        Number.isFinite(x) &&
        low &&
        (range.max === undefined || x <= range.max) &&
        (!range.integer || Number.isInteger(x));
      if (!ok) {
        const bound = `${range.exclusiveMin ? '>' : '≥'} ${range.min}${range.max === undefined ? '' : ` and ≤ ${range.max}`}`;
        throw methodFlagError(
          method,
          name,
          `must be ${range.integer ? 'a whole number' : 'a number'} ${bound}, got ${JSON.stringify(raw)}`,
        );
      }
      return x;
    },
  };
}
