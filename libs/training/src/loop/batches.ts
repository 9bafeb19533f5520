import { Rng } from '@coin/core';

/** One optimizer step: micro-batches of one [batch, seq] shape; `rows` index the stage's samples. */
export interface StepPlan {
  readonly batch: number;
  readonly seq: number;
  /** Per micro-batch, the samples of its real rows; rows beyond them are padding (no labels). */
  readonly micro: readonly (readonly number[])[];
}

const ALIGN = 8;

/**
 * A few sequence lengths to bucket into: the lengths at evenly spaced quantiles of the expanded
 * sample lengths, rounded up to a multiple of 8, the last one covering the longest sample. Fewer
 * shapes mean fewer graphs to build; more mean less padding.
 */
export function bucketSeqs(lengths: readonly number[], maxSeq: number, count = 3): number[] {
  if (lengths.length === 0) return [Math.min(maxSeq, ALIGN)];
  const sorted = [...lengths].sort((a, b) => a - b);
  const seqs = new Set<number>();
  for (let k = 1; k <= count; k++) {
    const at = sorted[Math.min(sorted.length - 1, Math.ceil((k / count) * sorted.length) - 1)];
    seqs.add(Math.min(maxSeq, Math.ceil(at / ALIGN) * ALIGN));
  }
  return [...seqs].sort((a, b) => a - b);
}

export interface EpochPlanOptions {
  readonly lengths: readonly number[];
  readonly seqs: readonly number[];
  readonly batchSize: number;
  readonly accumulation: number;
  readonly seed: number;
  /** Labels of the shuffle stream (e.g. stage name and epoch): each epoch draws its own order. */
  readonly label: readonly (string | number)[];
}

/**
 * The steps of one epoch. The samples are shuffled with a seeded stream, cut into optimizer steps
 * of batchSize × accumulation samples, and each step is sorted longest first and bucketed by its
 * longest sample, so that one step runs one graph (LLaVA's length-grouped sampler does the same
 * within its mega-batches). The last step keeps only the micro-batches it fills; its last one is
 * padded.
 */
export function planEpoch(o: EpochPlanOptions): StepPlan[] {
  const order = Rng.for(o.seed, 'order', ...o.label).shuffle(o.lengths.map((_, i) => i));
  const perStep = o.batchSize * o.accumulation;
  const steps: StepPlan[] = [];
  for (let start = 0; start < order.length; start += perStep) {
    const group = order.slice(start, start + perStep).sort((a, b) => o.lengths[b] - o.lengths[a] || a - b);
    const longest = o.lengths[group[0]];
    const seq = o.seqs.find((s) => s >= longest) ?? o.seqs[o.seqs.length - 1];
    const micro: number[][] = [];
    for (let m = 0; m < group.length; m += o.batchSize) micro.push(group.slice(m, m + o.batchSize));
    steps.push({ batch: o.batchSize, seq, micro });
  }
  return steps;
}
