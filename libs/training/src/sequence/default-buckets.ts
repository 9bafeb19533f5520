import { invalidArgument } from '@coin/core';
import type { PresetName } from '../pretrain/pretrain-defaults.js';

/** One training shape: a runner per bucket, all sharing one parameter and optimizer state. */
export interface SequenceBucket {
  readonly batch: number;
  readonly seq: number;
}

/**
 * Default (batch, seq) buckets per preset, from the measured expanded lengths of CoIN-Synth's tasks
 * (bench/README.md, "Sequence lengths"; `npm run bench -- seq-lengths`). Under tiny's tokenizer
 * the VQA-style tasks take 120-129 positions, Grounding up to 149, ScienceQA up to 161 (its
 * text-only items far less); micro's smaller vocabulary makes everything longer (ScienceQA 223).
 * The largest bucket of each preset is its maxSeq, the truncation limit: the default run cuts
 * nothing. Shorter buckets take more samples per step at the same cost; batch is the micro-batch,
 * gradient accumulation makes up the rest.
 */
export const DEFAULT_BUCKETS: Readonly<Record<PresetName, readonly SequenceBucket[]>> = {
  micro: [
    { batch: 8, seq: 128 },
    { batch: 8, seq: 160 },
    { batch: 4, seq: 256 },
  ],
  tiny: [
    { batch: 16, seq: 128 },
    { batch: 16, seq: 160 },
    { batch: 8, seq: 192 },
  ],
  small: [
    { batch: 16, seq: 128 },
    { batch: 16, seq: 160 },
    { batch: 8, seq: 192 },
    { batch: 4, seq: 320 },
  ],
};

/**
 * The shortest bucket that holds `length` positions; a longer sample goes to the longest bucket,
 * where the collator truncates it (and counts it).
 */
export function bucketFor(length: number, buckets: readonly SequenceBucket[]): SequenceBucket {
  if (buckets.length === 0) throw invalidArgument('TRAIN.NO_BUCKETS', 'at least one (batch, seq) bucket is needed');
  const sorted = [...buckets].sort((a, b) => a.seq - b.seq);
  return sorted.find((b) => b.seq >= length) ?? sorted[sorted.length - 1];
}
