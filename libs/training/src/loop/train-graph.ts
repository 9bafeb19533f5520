import { DEFAULT_GROUP, type TrainGraphSpec } from '@coin/autodiff';
import {
  type AdapterConfig,
  declareVlmInputs,
  lmHead,
  type ModelConfig,
  shiftedLmLoss,
  VLM_INPUTS,
  vlmHidden,
  PROJECTOR_GROUP,
  trainContext,
} from '@coin/model';
import type { TensorData, Value } from '@coin/onnx';
import type { InputSpec, LossGraph } from '../methods/method.js';

export interface StageGraphOptions {
  readonly config: ModelConfig;
  readonly adapter: AdapterConfig;
  /** Trainable weights with their starting values, in flat-vector order. */
  readonly trainable: ReadonlyMap<string, TensorData>;
  readonly frozen: ReadonlyMap<string, TensorData>;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
  readonly dropoutSeed?: number;
  /** The method's extra batch inputs and loss terms; absent for the task-loss-only gradient graph. */
  readonly extraInputs?: (shape: { batch: number; seq: number }) => readonly InputSpec[];
  readonly extraLoss?: (g: LossGraph) => Value | undefined;
}

/**
 * The stage's training graph for one [batch, seq] bucket: the VLM forward as `vlmTrainSpec` builds
 * it, with the logits and labels exposed so that a method can add terms (distillation, penalties)
 * to the shifted next-token cross-entropy.
 */
export function stageTrainSpec(o: StageGraphOptions, batch: number, seq: number): TrainGraphSpec {
  const { config } = o;
  return {
    name: `${config.name}_stage_${batch}x${seq}`,
    // The projector is its own rate group (strict fidelity gives it its own peak, docs/protocol.md#training-hyper-parameters).
    trainable: [...o.trainable].map(([name, t]) => ({
      name,
      dims: t.dims,
      decay: t.dims.length > 1,
      group: name.startsWith('projector.') ? PROJECTOR_GROUP : DEFAULT_GROUP,
    })),
    optimizer: { weightDecay: o.weightDecay, maxGradNorm: o.maxGradNorm },
    forward: (b, params) => {
      // Declares the per-step dropout seed input when the adapter has dropout (fed by the engine).
      const ctx = trainContext(b, { weights: o.frozen, adapter: o.adapter, dropoutSeed: o.dropoutSeed }, params);
      const inputs = declareVlmInputs(b, config, batch, seq);
      const labels = b.input(VLM_INPUTS.labels, 'int64', [batch, seq]);
      const logits = lmHead(ctx, config.decoder, vlmHidden(ctx, config, inputs)); // [B, T, V]
      const ce = shiftedLmLoss(b, logits, labels, seq, config.decoder.vocab);
      if (!o.extraLoss) return ce;
      const extra = new Map<string, Value>();
      for (const s of o.extraInputs?.({ batch, seq }) ?? []) extra.set(s.name, b.input(s.name, s.dtype, s.dims));
      const term = o.extraLoss({ b, params, logits, labels, inputs: extra, batch, seq, vocab: config.decoder.vocab });
      return term ? b.op('Add', [ce, term]) : ce;
    },
  };
}
