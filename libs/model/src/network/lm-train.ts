import { crossEntropy, type TrainGraphSpec } from '@coin/autodiff';
import type { TensorData } from '@coin/onnx';
import type { AdapterConfig } from './adapters.js';
import type { DecoderConfig } from './config.js';
import { decoderForward, embedTokens, lmHead } from './decoder.js';
import { trainableNames } from './init.js';
import { WeightSource } from './weights.js';

/** Batch inputs of the text-only LM training graph. */
export const LM_INPUTS = { ids: 'input_ids', labels: 'labels' } as const;

export interface LmTrainOptions {
  readonly cfg: DecoderConfig;
  /** Base (and adapter) weights; trainable ones become graph inputs, the rest initializers. */
  readonly weights: ReadonlyMap<string, TensorData>;
  readonly adapter: AdapterConfig;
  readonly batch: number;
  readonly seq: number;
  /** Dropout seed (only matters when the adapter has dropout). */
  readonly dropoutSeed?: number;
  readonly name?: string;
}

/**
 * Next-token training of the decoder alone: input_ids [B, T], labels [B, T] (−100 = no loss);
 * logits at t predict labels at t + 1, as Hugging Face causal LMs shift them.
 */
export function lmTrainSpec(o: LmTrainOptions): TrainGraphSpec {
  const names = trainableNames(o.weights, o.adapter);
  return {
    name: o.name ?? 'lm',
    trainable: names.map((n) => ({ name: n, dims: o.weights.get(n)!.dims, decay: o.weights.get(n)!.dims.length > 1 })),
    forward: (b, params) => {
      const frozen = new Map([...o.weights].filter(([n]) => !params.has(n)));
      const ctx = { b, w: new WeightSource(b, frozen, params), adapter: o.adapter, dropoutSeed: o.dropoutSeed };
      const ids = b.input(LM_INPUTS.ids, 'int64', [o.batch, o.seq]);
      const labels = b.input(LM_INPUTS.labels, 'int64', [o.batch, o.seq]);
      const hidden = decoderForward(ctx, o.cfg, embedTokens(ctx, ids)); // [B, T, C]
      const logits = lmHead(ctx, o.cfg, hidden); // [B, T, V]
      const shiftedLogits = b.op('Slice', [logits, b.i64([0]), b.i64([o.seq - 1]), b.i64([1])]); // [B, T-1, V]
      const shiftedLabels = b.op('Slice', [labels, b.i64([1]), b.i64([o.seq]), b.i64([1])]); // [B, T-1]
      return crossEntropy(b, b.op('Reshape', [shiftedLogits, b.i64([-1, o.cfg.vocab])]), b.op('Reshape', [shiftedLabels, b.i64([-1])]));
    },
  };
}
