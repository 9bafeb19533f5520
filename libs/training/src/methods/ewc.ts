import type { TensorData } from '@coin/onnx';
import { numberFlag } from './flags.js';
import { lora, loraDefaults, loraFlags, type LoraHyper } from './lora.js';
import { accumulateFisher, FisherEstimate } from './fisher.js';
import type { ContinualMethod, PresetName, StageContext } from './method.js';
import { type EwcAnchor, ewcPenalty } from './penalties/ewc-penalty.js';

export type EwcHyper = LoraHyper & {
  /** λ of λ/2 · Σ F (θ − θ*)². */
  readonly ewcLambda: number;
};

/** What EWC carries: the summed Fisher and the anchor θ* (the latest stage's trained values). */
export interface EwcState {
  readonly fisher: ReadonlyMap<string, TensorData>;
  readonly theta: ReadonlyMap<string, TensorData>;
}

// The Fisher of batch-mean gradients is small (mean F ≈ 4e-5 on micro's LoRA after a synth stage),
// so λ is large: at 1e4 the penalty is about 1 % of the cross-entropy at the end of a short micro
// stage 2 and grows with the square of the drift. One value for every preset until a sweep on the
// default tiny run says otherwise.
const LAMBDA: Readonly<Record<PresetName, number>> = { micro: 1e4, tiny: 1e4, small: 1e4 };

/**
 * Elastic weight consolidation (Kirkpatrick et al. 2017) on the carried LoRA: after each stage the
 * diagonal Fisher is estimated over the stage's batches (FisherEstimate) and added to the carried
 * sum; the next stages pay λ/2 · Σ F (θ − θ*)² for moving the anchored weights. Under `coin`
 * fidelity the projector restarts from the base at every stage, so it is not anchored
 * (docs/protocol.md#continual-learning-methods).
 */
export const ewc: ContinualMethod<EwcHyper, EwcState> = {
  name: 'ewc',
  summary: 'LoRA plus a quadratic penalty weighted by the diagonal Fisher of earlier stages',
  evaluation: 'merged',
  flags: [
    ...loraFlags<EwcHyper>(),
    numberFlag<EwcHyper>('ewc', 'ewc-lambda', 'ewcLambda', 'λ of the penalty λ/2 · Σ F (θ − θ*)² (0 = plain LoRA)', {
      min: 0,
    }),
  ],
  defaults: (preset) => ({ ...loraDefaults(preset), ewcLambda: LAMBDA[preset] }),
  prepareStage: lora.prepareStage,
  extraLoss(g, ctx) {
    if (!ctx.state || ctx.hyper.ewcLambda === 0) return undefined;
    return ewcPenalty(g.b, g.params, anchors(ctx), ctx.hyper.ewcLambda);
  },
  async afterStage(ctx, outcome) {
    const names = [...outcome.trained.keys()].filter((n) => anchored(ctx, n));
    const estimate = new FisherEstimate(new Map(names.map((n) => [n, outcome.trained.get(n)!.dims])));
    for await (const batch of outcome.batches()) estimate.add((await outcome.gradient(batch)).grad);
    return {
      fisher: accumulateFisher(ctx.state?.fisher, estimate.byName()),
      theta: new Map(names.map((n) => [n, outcome.trained.get(n)!])),
    };
  },
  encodeState: (s) => new Map([...prefixed('fisher', s.fisher), ...prefixed('theta', s.theta)]),
  decodeState: (tensors) => ({ fisher: unprefixed(tensors, 'fisher'), theta: unprefixed(tensors, 'theta') }),
};

function anchored(ctx: StageContext<EwcHyper, EwcState>, name: string): boolean {
  return !(ctx.fidelity === 'coin' && name.startsWith('projector.'));
}

/** F and θ* per anchored name, built once per state (extraLoss runs once per graph shape). */
const anchorCache = new WeakMap<EwcState, Map<string, EwcAnchor>>();
function anchors(ctx: StageContext<EwcHyper, EwcState>): Map<string, EwcAnchor> {
  const s = ctx.state!;
  let map = anchorCache.get(s);
  if (!map) {
    map = new Map();
    for (const [name, theta] of s.theta) {
      const fisher = s.fisher.get(name);
      if (fisher && anchored(ctx, name)) map.set(name, { fisher, theta });
    }
    anchorCache.set(s, map);
  }
  return map;
}

const prefixed = (prefix: string, m: ReadonlyMap<string, TensorData>) =>
  [...m].map(([n, t]) => [`${prefix}/${n}`, t] as const);
const unprefixed = (m: ReadonlyMap<string, TensorData>, prefix: string) =>
  new Map([...m].filter(([n]) => n.startsWith(`${prefix}/`)).map(([n, t]) => [n.slice(prefix.length + 1), t]));
