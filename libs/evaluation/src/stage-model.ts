import { CoinError, canonicalJson } from '@coin/core';
import {
  type AdapterConfig,
  type AdapterSpec,
  adapterConfig,
  isAdapterName,
  loadAdapterCheckpoint,
  loadBaseCheckpoint,
  mergeLora,
  type ModelConfig,
} from '@coin/model';
import type { TensorData } from '@coin/onnx';
import { type EvalStageMeta, readEvalStageMeta } from './stage-meta.js';

/** The base model a run trained from; `key`, when given, must match the stage's record of it. */
export interface StageBase {
  readonly config: ModelConfig;
  readonly weights: ReadonlyMap<string, TensorData>;
  readonly key?: string;
}

/** The inference weights of one stage (docs/protocol.md#evaluation-runner). */
export interface StageModel {
  readonly config: ModelConfig;
  /** The base overlaid with the stage's tensors, LoRA merged in where the stage is evaluated merged. */
  readonly weights: ReadonlyMap<string, TensorData>;
  /** An adapter the generation graph applies beside the weights (MoELoRA, or a stage evaluated unmerged). */
  readonly adapter?: AdapterConfig;
  /** The stage's metadata; undefined for the bare base (zero-shot). */
  readonly meta?: EvalStageMeta;
}

/**
 * The model that evaluates stage `stageDir`, or the bare base when it is undefined (zero-shot). An
 * adapter checkpoint overlays the base with its LoRA tensors and other trained tensors (the
 * projector); LoRA is then folded into the weights when the stage is evaluated `merged`, as CoIN's
 * eval loader does, while MoELoRA always stays an adapter (its router depends on the input). A
 * `base` checkpoint (full tuning) replaces the whole model.
 */
export async function loadStageModel(base: StageBase, stageDir: string | undefined): Promise<StageModel> {
  if (stageDir === undefined) return { config: base.config, weights: base.weights };
  const meta = await readEvalStageMeta(stageDir);
  if (base.key !== undefined && meta.base !== base.key)
    throw new CoinError(
      'EVAL.WRONG_BASE',
      'INVALID_ARGUMENT',
      `stage ${stageDir} was trained from base ${meta.base.slice(0, 12)}…, not ${base.key.slice(0, 12)}…`,
      { hint: 'evaluate it with the base it was trained from (--base)' },
    );
  if (meta.checkpoint === 'base') {
    const full = await loadBaseCheckpoint(stageDir);
    if (canonicalJson(full.config) !== canonicalJson(base.config))
      throw mismatch(stageDir, `its model config (${full.config.name}) differs from the base's (${base.config.name})`);
    return { config: base.config, weights: full.weights, meta };
  }
  const checkpoint = await loadAdapterCheckpoint(stageDir);
  const weights = overlay(base.weights, checkpoint.weights as ReadonlyMap<string, TensorData>, stageDir);
  const adapter = inferenceAdapter(checkpoint.spec);
  if (adapter.kind === 'lora' && meta.evaluation === 'merged')
    return { config: base.config, weights: mergeLora(weights, adapter), meta };
  return { config: base.config, weights, adapter, meta };
}

/** The adapter as the generation graph applies it (nothing trains at inference). */
function inferenceAdapter(spec: AdapterSpec): AdapterConfig {
  return adapterConfig({ ...spec, trainProjector: false });
}

/**
 * The base with the checkpoint's tensors on top. Adapter tensors are new names; every other tensor
 * must replace a base tensor of the same shape, or the checkpoint belongs to another model.
 */
function overlay(
  base: ReadonlyMap<string, TensorData>,
  checkpoint: ReadonlyMap<string, TensorData>,
  dir: string,
): Map<string, TensorData> {
  const out = new Map(base);
  for (const [name, t] of checkpoint) {
    if (!isAdapterName(name)) {
      const b = base.get(name);
      if (!b) throw mismatch(dir, `it holds ${name}, which the base model has not`);
      if (b.dims.join(',') !== t.dims.join(','))
        throw mismatch(dir, `${name} is [${t.dims.join(', ')}], the base's [${b.dims.join(', ')}]`);
    }
    out.set(name, t);
  }
  return out;
}

function mismatch(dir: string, what: string): CoinError {
  return new CoinError('EVAL.CHECKPOINT_MISMATCH', 'INVALID_ARGUMENT', `stage ${dir} does not fit the base: ${what}`, {
    hint: 'evaluate it with the base and preset it was trained with',
  });
}
