import { crossEntropy, type TrainGraphSpec } from '@coin/autodiff';
import type { GraphBuilder, TensorData, Value } from '@coin/onnx';
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
  return {
    name: o.name ?? 'lm',
    trainable: trainableParams(o.weights, o.adapter),
    forward: (b, params) => {
      // Trainable names resolve to `params` first (WeightSource), the rest to frozen initializers.
      const ctx = { b, w: new WeightSource(b, o.weights, params), adapter: o.adapter, dropoutSeed: o.dropoutSeed };
      const ids = b.input(LM_INPUTS.ids, 'int64', [o.batch, o.seq]);
      const labels = b.input(LM_INPUTS.labels, 'int64', [o.batch, o.seq]);
      const hidden = decoderForward(ctx, o.cfg, embedTokens(ctx, ids)); // [B, T, C]
      return shiftedLmLoss(b, lmHead(ctx, o.cfg, hidden), labels, o.seq, o.cfg.vocab);
    },
  };
}

/** The spec's trainable list: each trainable weight with its dims, weight decay on matrices only. */
export function trainableParams(
  weights: ReadonlyMap<string, TensorData>,
  adapter: AdapterConfig,
): TrainGraphSpec['trainable'] {
  return trainableNames(weights, adapter).map((n) => ({
    name: n,
    dims: weights.get(n)!.dims,
    decay: weights.get(n)!.dims.length > 1,
  }));
}

/** Cross-entropy of logits [B, T, V] at t against labels [B, T] at t + 1 (Hugging Face's shift). */
export function shiftedLmLoss(b: GraphBuilder, logits: Value, labels: Value, seq: number, vocab: number): Value {
  const shiftedLogits = b.op('Slice', [logits, b.i64([0]), b.i64([seq - 1]), b.i64([1])]); // [B, T-1, V]
  const shiftedLabels = b.op('Slice', [labels, b.i64([1]), b.i64([seq]), b.i64([1])]); // [B, T-1]
  return crossEntropy(
    b,
    b.op('Reshape', [shiftedLogits, b.i64([-1, vocab])]),
    b.op('Reshape', [shiftedLabels, b.i64([-1])]),
  );
}
