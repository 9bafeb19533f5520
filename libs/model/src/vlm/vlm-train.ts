import type { TrainGraphSpec } from '@coin/autodiff';
import type { TensorData } from '@coin/onnx';
import type { AdapterConfig } from '../network/adapters.js';
import type { ModelConfig } from '../network/config.js';
import { lmHead } from '../network/decoder.js';
import { shiftedLmLoss, trainableParams, trainContext } from '../network/lm-train.js';
import { VLM_INPUTS } from './vlm-batch.js';
import { declareVlmInputs, vlmHidden } from './vlm-forward.js';

export interface VlmTrainOptions {
  readonly config: ModelConfig;
  readonly weights: ReadonlyMap<string, TensorData>;
  readonly adapter: AdapterConfig;
  readonly batch: number;
  readonly seq: number;
  /** Dropout on (when the adapter has any) with this base seed; see LmTrainOptions.dropoutSeed. */
  readonly dropoutSeed?: number;
}

/**
 * One training step of the vision-language model on a [batch, seq] bucket: image features through
 * the projector into the decoder, shifted next-token cross-entropy on the answer labels. Which
 * weights train follows the adapter (LoRA/MoELoRA + projector, or everything for full tuning).
 */
export function vlmTrainSpec(o: VlmTrainOptions): TrainGraphSpec {
  const { batch, seq, config } = o;
  return {
    name: `${config.name}_train`,
    trainable: trainableParams(o.weights, o.adapter),
    forward: (b, params) => {
      const ctx = trainContext(b, o, params);
      const inputs = declareVlmInputs(b, config, batch, seq);
      const labels = b.input(VLM_INPUTS.labels, 'int64', [batch, seq]);
      return shiftedLmLoss(
        b,
        lmHead(ctx, config.decoder, vlmHidden(ctx, config, inputs)),
        labels,
        seq,
        config.decoder.vocab,
      );
    },
  };
}
