import type { PresetName, TrainingHyper } from '../methods/method.js';
import { DEFAULT_BUCKETS } from '../sequence/default-buckets.js';

/**
 * The loop's per-preset defaults (docs/protocol.md#training-hyper-parameters). CoIN trains one
 * epoch with warm-up 3 %, no weight decay and clipping at 1.0; those carry over as they are. Its
 * rates (LoRA 2e-4, projector 2e-5) are tuned for a 7B model; the small presets learn at a higher
 * rate, and the projector keeps CoIN's ratio of a tenth of it.
 */
export function trainingDefaults(preset: PresetName): TrainingHyper {
  const lr = { micro: 3e-3, tiny: 1e-3, small: 5e-4 }[preset];
  return {
    epochs: 1,
    // The shortest default bucket's micro-batch (sequence/default-buckets.ts); longer buckets hold fewer.
    batchSize: Math.max(...DEFAULT_BUCKETS[preset].map((b) => b.batch)),
    accumulation: 1,
    lr,
    projectorLr: lr / 10,
    warmupRatio: 0.03,
    weightDecay: 0,
    maxGradNorm: 1,
  };
}
