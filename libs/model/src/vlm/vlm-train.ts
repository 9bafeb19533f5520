import { crossEntropy, type TrainGraphSpec } from '@coin/autodiff';
import type { TensorData } from '@coin/onnx';
import type { AdapterConfig } from '../network/adapters.js';
import type { ModelConfig } from '../network/config.js';
import { lmHead } from '../network/decoder.js';
import { trainableNames } from '../network/init.js';
import { WeightSource } from '../network/weights.js';
import { VLM_INPUTS } from './vlm-batch.js';
import { declareVlmInputs, vlmHidden } from './vlm-forward.js';

export interface VlmTrainOptions {
  readonly config: ModelConfig;
  readonly weights: ReadonlyMap<string, TensorData>;
  readonly adapter: AdapterConfig;
  readonly batch: number;
  readonly seq: number;
  readonly dropoutSeed?: number;
}

/**
 * One training step of the vision-language model on a [batch, seq] bucket: image features through
 * the projector into the decoder, shifted next-token cross-entropy on the answer labels. Which
 * weights train follows the adapter (LoRA/MoELoRA + projector, or everything for full tuning).
 */
export function vlmTrainSpec(o: VlmTrainOptions): TrainGraphSpec {
  const names = trainableNames(o.weights, o.adapter);
  const { batch, seq, config } = o;
  return {
    name: `${config.name}_train`,
    trainable: names.map((n) => ({ name: n, dims: o.weights.get(n)!.dims, decay: o.weights.get(n)!.dims.length > 1 })),
    forward: (b, params) => {
      const frozen = new Map([...o.weights].filter(([n]) => !params.has(n)));
      const ctx = { b, w: new WeightSource(b, frozen, params), adapter: o.adapter, dropoutSeed: o.dropoutSeed };
      const inputs = declareVlmInputs(b, config, batch, seq);
      const labels = b.input(VLM_INPUTS.labels, 'int64', [batch, seq]);
      const logits = lmHead(ctx, config.decoder, vlmHidden(ctx, config, inputs)); // [B, T, V]
      const shiftedLogits = b.op('Slice', [logits, b.i64([0]), b.i64([seq - 1]), b.i64([1])]);
      const shiftedLabels = b.op('Slice', [labels, b.i64([1]), b.i64([seq]), b.i64([1])]);
      return crossEntropy(b, b.op('Reshape', [shiftedLogits, b.i64([-1, config.decoder.vocab])]), b.op('Reshape', [shiftedLabels, b.i64([-1])]));
    },
  };
}
