import { Rng } from '@coin/core';
import type { PresetName } from '../methods/method.js';
import { bucketFor, DEFAULT_BUCKETS, type SequenceBucket } from '../sequence/default-buckets.js';

/** One optimizer step: micro-batches of one [batch, seq] shape; `micro` index the stage's samples. */
export interface StepPlan {
  readonly batch: number;
  readonly seq: number;
  /** Per micro-batch, the samples of its real rows; rows beyond them are padding (no labels). */
  readonly micro: readonly (readonly number[])[];
}

/**
 * The stage's buckets: the preset's measured defaults (DEFAULT_BUCKETS), their micro-batches
 * scaled so that the shortest bucket holds `batchSize` samples, and no longer than `maxSeq`.
 */
export function stageBuckets(preset: PresetName, batchSize: number, maxSeq: number): SequenceBucket[] {
  const defaults = [...DEFAULT_BUCKETS[preset]].sort((a, b) => a.seq - b.seq);
  const scale = batchSize / defaults[0].batch;
  const bySeq = new Map<number, SequenceBucket>();
  for (const b of defaults) {
    const seq = Math.min(b.seq, maxSeq);
    if (!bySeq.has(seq)) bySeq.set(seq, { batch: Math.max(1, Math.round(b.batch * scale)), seq });
  }
  return [...bySeq.values()];
}

export interface EpochPlanOptions {
  /** Expanded length of every sample (text + image positions). */
  readonly lengths: readonly number[];
  readonly buckets: readonly SequenceBucket[];
  /** Samples per optimizer step: the shortest bucket's batch × gradient accumulation. */
  readonly samplesPerStep: number;
  readonly seed: number;
  /** Labels of the shuffle stream (e.g. stage name and epoch): each epoch draws its own order. */
  readonly label: readonly (string | number)[];
}

/**
 * The steps of one epoch. The samples are shuffled with a seeded stream and cut into optimizer
 * steps of `samplesPerStep`; each step is sorted longest first and runs in the shortest bucket
 * that holds its longest sample (LLaVA's length-grouped sampler also groups within mega-batches),
 * as micro-batches of that bucket's batch: a step of long samples takes more, smaller
 * micro-batches. The last micro-batch of a step may be short; the loop pads it.
 */
export function planEpoch(o: EpochPlanOptions): StepPlan[] {
  const order = Rng.for(o.seed, 'order', ...o.label).shuffle(o.lengths.map((_, i) => i));
  const steps: StepPlan[] = [];
  for (let start = 0; start < order.length; start += o.samplesPerStep) {
    const group = order.slice(start, start + o.samplesPerStep).sort((a, b) => o.lengths[b] - o.lengths[a] || a - b);
    const bucket = bucketFor(o.lengths[group[0]], o.buckets);
    const micro: number[][] = [];
    for (let m = 0; m < group.length; m += bucket.batch) micro.push(group.slice(m, m + bucket.batch));
    steps.push({ batch: bucket.batch, seq: bucket.seq, micro });
  }
  return steps;
}
