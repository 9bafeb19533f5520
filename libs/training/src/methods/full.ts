import { adapterConfig } from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { carriedAdapterSetup } from './adapter-setup.js';
import type { ContinualMethod } from './method.js';

/**
 * Full fine-tuning: every decoder weight and the projector train (the vision tower stays frozen,
 * as in LLaVA), carried from stage to stage. Its checkpoints are base checkpoints.
 */
export const full: ContinualMethod<Record<string, never>> = {
  name: 'full',
  summary: 'every decoder weight and the projector train; checkpoints are base models',
  evaluation: 'merged',
  flags: [],
  defaults: () => ({}),
  // LLaVA's full fine-tuning runs at 2e-5 where its LoRA runs at 2e-4: a tenth of the adapter rate.
  training: (_h, preset) => ({ lr: FULL_LR[preset] }),
  prepareStage: (ctx) => carriedAdapterSetup(ctx, adapterConfig({ kind: 'full' })),
  checkpointWeights: (_ctx, outcome) => {
    const weights = new Map<string, TensorData>([...outcome.setup.frozenWeights, ...outcome.trained]);
    return { kind: 'base', weights };
  },
};

const FULL_LR = { micro: 3e-4, tiny: 1e-4, small: 5e-5 } as const;
