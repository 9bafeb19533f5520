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
 * CoIN's LoRA setting (r 128, α 256 on LLaMA-7B's width 4096) scaled to a preset: the rank keeps
 * CoIN's share of the width (128 / 4096 = 1/32), is at least `floor` (a rank of 1 or 2 leaves too
 * little room to learn a task) and a multiple of `multiple` (MoELoRA's experts split it evenly);
 * α = 2r keeps CoIN's scaling α / r = 2, so the adapter's contribution has the same magnitude.
 */
export function scaledRank(width: number, floor: number, multiple = 1): number {
  const r = Math.max(floor, Math.round(width / 32));
  return Math.ceil(r / multiple) * multiple;
}
