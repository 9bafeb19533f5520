import { type AdapterConfig, initAdapter, isAdapterName, trainableNames } from '@coin/model';
import type { TensorData } from '@coin/onnx';
import type { StageContext, StageSetup } from './method.js';

/**
 * The usual stage setup for an adapter carried through every stage (docs/protocol.md#stage-chaining):
 * `ctx.start` as it is, plus a fresh adapter at the first stage (seeded from the run seed); what
 * trains follows the adapter (`trainableNames`), everything else is frozen.
 */
export function carriedAdapterSetup(ctx: StageContext, adapter: AdapterConfig): StageSetup {
  const all = new Map<string, TensorData>(ctx.start);
  const hasAdapter = [...all.keys()].some(isAdapterName);
  if (!hasAdapter) for (const [n, t] of initAdapter(ctx.config.decoder, adapter, ctx.seed)) all.set(n, t);
  const trainable = new Set(trainableNames(all, adapter));
  const initialWeights = new Map<string, TensorData>();
  const frozenWeights = new Map<string, TensorData>();
  for (const [n, t] of all) (trainable.has(n) ? initialWeights : frozenWeights).set(n, t);
  return { adapter, initialWeights, frozenWeights };
}

/**
 * CoIN's LoRA rank scaled to a preset's decoder width. CoIN's r 128 is 1/32 of LLaMA-7B's width
 * 4096; that share gives micro (48) a rank of 1.5 and tiny (128) 4, too little room for a small
 * model to learn a task in one epoch. The presets keep a larger share instead: width / 8 rounded up
 * to a power of two (micro 8, tiny 16, small 32), as the regularisation methods' carried LoRA does,
 * so every row of a results table trains the same adapter; at least `multiple` and a multiple of it
 * (MoELoRA's E experts split the rank evenly). α = 2r everywhere keeps CoIN's scaling α / r = 2.
 */
export function scaledRank(width: number, multiple = 1): number {
  const r = 2 ** Math.ceil(Math.log2(width / 8));
  return Math.max(multiple, Math.ceil(r / multiple) * multiple);
}
