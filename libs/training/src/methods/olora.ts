import { type AdapterConfig, adapterConfig, isAdapterName, mergeLora } from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { carriedAdapterSetup } from './adapter-setup.js';
import { numberFlag } from './flags.js';
import { loraAdapter, loraDefaults, loraFlags, type LoraHyper } from './lora.js';
import type { ContinualMethod } from './method.js';
import { freshAdapter } from './olora-adapters.js';
import { orthogonalityPenalty } from './penalties/orthogonality.js';

export type OloraHyper = LoraHyper & {
  /** λ of λ · Σ ‖A_earlierᵀ A_new‖²_F. */
  readonly oloraLambda: number;
};

/** What O-LoRA carries: every finished stage's LoRA (lora_A and lora_B by name), in stage order. */
export interface OloraState {
  readonly adapters: ReadonlyArray<ReadonlyMap<string, TensorData>>;
}

/**
 * O-LoRA (Wang et al. 2023): a new LoRA per stage, trained on a base into which every earlier
 * stage's LoRA is merged (so the earlier ones are frozen), with a penalty keeping the new A's
 * column space orthogonal to the earlier A's. The state keeps each stage's adapter separately;
 * the stage's checkpoint holds the stack of all of them as one LoRA (A's side by side, B's stacked,
 * rank k·r, α k·α so s = α/r is unchanged): x·[A_1…A_k]·[B_1;…;B_k]·s = Σ_j x·A_j·B_j·s, exactly
 * the merged model, and loadable as any PEFT LoRA for evaluation
 * (docs/protocol.md#continual-learning-methods).
 */
export const olora: ContinualMethod<OloraHyper, OloraState> = {
  name: 'olora',
  summary: "a new LoRA per stage, earlier ones merged and frozen, orthogonal to the earlier A's",
  evaluation: 'merged',
  // O-LoRA's λ1 = 0.5, at every preset.
  defaults: (preset) => ({ ...loraDefaults(preset), oloraLambda: 0.5 }),
  flags: [
    ...loraFlags<OloraHyper>(),
    numberFlag<OloraHyper>(
      'olora',
      'olora-lambda',
      'oloraLambda',
      'λ of the orthogonality penalty (0 = fresh LoRA per stage, no penalty)',
      {
        min: 0,
      },
    ),
  ],
  prepareStage(ctx) {
    const adapter = loraAdapter(ctx.hyper);
    const earlier = ctx.state?.adapters ?? [];
    // ctx.start is the base (+ projector per fidelity) with the previous adapter: that adapter, like
    // every earlier one, is merged into the frozen base instead, and a new one trains.
    let weights = new Map([...ctx.start].filter(([n]) => !isAdapterName(n)));
    for (const stage of earlier) weights = mergeLora(new Map([...weights, ...stage]), adapter);
    for (const [n, t] of freshAdapter(ctx.config.decoder, adapter, ctx.seed, ctx.stage)) weights.set(n, t);
    return carriedAdapterSetup({ ...ctx, start: weights }, adapter);
  },
  extraLoss(g, ctx) {
    if (!ctx.state || ctx.hyper.oloraLambda === 0) return undefined;
    return orthogonalityPenalty(g.b, g.params, earlierA(ctx.state), ctx.hyper.oloraLambda);
  },
  afterStage: (ctx, outcome) => ({
    adapters: [...(ctx.state?.adapters ?? []), new Map([...outcome.trained].filter(([n]) => isAdapterName(n)))],
  }),
  encodeState: (s) => new Map(s.adapters.flatMap((m, k) => [...m].map(([n, t]) => [`stage${k + 1}/${n}`, t] as const))),
  decodeState(tensors) {
    const adapters: Map<string, TensorData>[] = [];
    for (const [key, t] of tensors) {
      const m = /^stage(\d+)\/(.+)$/.exec(key);
      if (!m) continue;
      const k = Number(m[1]) - 1;
      while (adapters.length <= k) adapters.push(new Map());
      adapters[k].set(m[2], t);
    }
    return { adapters };
  },
  checkpointWeights(ctx, outcome) {
    const stages = [...(ctx.state?.adapters ?? []), outcome.trained];
    const projector = [...outcome.trained].filter(([n]) => !isAdapterName(n));
    return {
      kind: 'adapter',
      adapter: stackedAdapter(loraAdapter(ctx.hyper), stages.length),
      weights: new Map([...stack(stages), ...projector]),
    };
  },
};

/** The earlier A's of each module, by the new adapter's lora_A name. */
const earlierCache = new WeakMap<OloraState, Map<string, TensorData[]>>();
function earlierA(state: OloraState): Map<string, TensorData[]> {
  let m = earlierCache.get(state);
  if (!m) {
    m = new Map();
    for (const stage of state.adapters)
      for (const [n, t] of stage) if (n.endsWith('.lora_A')) m.set(n, [...(m.get(n) ?? []), t]);
    earlierCache.set(state, m);
  }
  return m;
}

/** The adapter config of k stacked stages: rank k·r and α k·α keep the scaling α / r. */
function stackedAdapter(a: AdapterConfig, k: number): AdapterConfig {
  return adapterConfig({ ...a, rank: k * a.rank, alpha: k * a.alpha });
}

/** Each module's A's side by side ([in, k·r]) and B's stacked ([k·r, out]). */
function stack(stages: ReadonlyArray<ReadonlyMap<string, TensorData>>): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  for (const name of stages[0].keys()) {
    if (!isAdapterName(name)) continue;
    const parts = stages.map((s) => s.get(name)!);
    out.set(name, name.endsWith('.lora_A') ? concatColumns(parts) : concatRows(parts));
  }
  return out;
}

function concatRows(parts: readonly TensorData[]): TensorData {
  const rows = parts.reduce((a, p) => a + p.dims[0], 0);
  const data = new Float32Array(rows * parts[0].dims[1]);
  let at = 0;
  for (const p of parts) {
    data.set(p.data as Float32Array, at);
    at += p.data.length;
  }
  return { dtype: 'float32', dims: [rows, parts[0].dims[1]], data };
}

function concatColumns(parts: readonly TensorData[]): TensorData {
  const fin = parts[0].dims[0];
  const total = parts.reduce((a, p) => a + p.dims[1], 0);
  const data = new Float32Array(fin * total);
  let col = 0;
  for (const p of parts) {
    const w = p.dims[1];
    const src = p.data as Float32Array;
    for (let i = 0; i < fin; i++) data.set(src.subarray(i * w, (i + 1) * w), i * total + col);
    col += w;
  }
  return { dtype: 'float32', dims: [fin, total], data };
}
