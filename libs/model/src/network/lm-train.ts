import { crossEntropy, DEFAULT_GROUP, type TrainGraphSpec } from '@coin/autodiff';
import type { GraphBuilder, TensorData, Value } from '@coin/onnx';
import type { AdapterConfig } from './adapters.js';
import type { DecoderConfig } from './config.js';
import { decoderForward, embedTokens, lmHead } from './decoder.js';
import { declareDropoutSeed } from './dropout.js';
import { trainableNames } from './init.js';
import { adapterHasDropout, type ForwardContext } from './linear.js';
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
  /**
   * Turns dropout on (when the adapter has any) and is mixed into every module's mask key; the
   * graph then takes DROPOUT_SEED_INPUT, fed per step with dropoutSeedFeed(seed).
   */
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
      const ctx = trainContext(b, o, params);
      const ids = b.input(LM_INPUTS.ids, 'int64', [o.batch, o.seq]);
      const labels = b.input(LM_INPUTS.labels, 'int64', [o.batch, o.seq]);
      const hidden = decoderForward(ctx, o.cfg, embedTokens(ctx, ids)); // [B, T, C]
      return shiftedLmLoss(b, lmHead(ctx, o.cfg, hidden), labels, o.seq, o.cfg.vocab);
    },
  };
}

/** The forward context of a training graph; declares the dropout seed input when dropout is on. */
export function trainContext(
  b: GraphBuilder,
  o: {
    readonly weights: ReadonlyMap<string, TensorData>;
    readonly adapter: AdapterConfig;
    readonly dropoutSeed?: number;
  },
  params: ReadonlyMap<string, Value>,
): ForwardContext {
  const withDropout = o.dropoutSeed !== undefined && adapterHasDropout(o.adapter);
  return {
    b,
    w: new WeightSource(b, o.weights, params),
    adapter: o.adapter,
    dropout: withDropout ? declareDropoutSeed(b, o.dropoutSeed!) : undefined,
  };
}

/** The learning-rate group of the projector (LLaVA's mm_projector_lr); everything else is 'default'. */
export const PROJECTOR_GROUP = 'projector';

/**
 * The spec's trainable list: each trainable weight with its dims, weight decay on matrices only,
 * and the projector in a learning-rate group of its own.
 */
export function trainableParams(
  weights: ReadonlyMap<string, TensorData>,
  adapter: AdapterConfig,
): TrainGraphSpec['trainable'] {
  return trainableNames(weights, adapter).map((n) => ({
    name: n,
    dims: weights.get(n)!.dims,
    decay: weights.get(n)!.dims.length > 1,
    group: n.startsWith('projector.') ? PROJECTOR_GROUP : DEFAULT_GROUP,
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
