import { CoinError, type Rng } from '@coin/core';
import type { TrainRecord } from '@coin/data';
import type { AdapterConfig, ModelConfig } from '@coin/model';
import type { DType, GraphBuilder, TensorData, Value } from '@coin/onnx';
import type { HostTensor, SessionOptions } from '@coin/runtime';
import type { PresetName } from '../pretrain/pretrain-defaults.js';

/** The built-in presets (one name for pretraining and the stage loop). */
export type { PresetName };

/**
 * A continual-learning method as a strategy the stage loop calls at fixed points
 * (docs/protocol.md#stage-chaining). The loop owns everything common to all methods: reading and
 * tokenising the data, shuffling, bucketing, the optimizer, schedules, dropout seeds, checkpoints
 * and resuming. A method only answers the questions below, so adding one touches neither the loop
 * nor the CLI's parser beyond one entry in the registry (`methods/registry.ts`).
 *
 * Order of calls for a run over tasks T1..Tn:
 *   defaults(preset) → flags parsed over it → validate(hyper, preset)
 *   plan(tasks)                                       once
 *   for each planned stage k:
 *     prepareStage(ctx)                               which weights train, from which values
 *     stageSamples(ctx, current, past)                what data the stage sees
 *     extraInputs(ctx, shape) / extraLoss(g, ctx)     once per (batch, seq) training graph
 *     extraFeeds(batch, ctx)                          before every micro-batch
 *     … the loop trains …
 *     afterStage(ctx, outcome) → state               carried into stage k + 1 as ctx.state
 *     checkpointWeights(ctx, outcome)                what the stage's checkpoint holds
 *
 * All hooks but `prepareStage` are optional; a hook that is absent means "nothing": no extra data,
 * no extra loss, no state. Hooks must be deterministic given `ctx.seed` and their inputs: a resumed
 * run calls them again and must get the same answers.
 */
export interface ContinualMethod<H extends MethodHyper = MethodHyper, S = unknown> {
  /** CLI name (`--method lora`), lower case; also recorded in every checkpoint. */
  readonly name: string;
  /** One line for `coin train --help`. */
  readonly summary: string;
  /**
   * How a stage's checkpoint is evaluated: `merged` = adapter folded into the base weights
   * (LoRA-like), `unmerged` = the adapter runs dynamically beside the frozen base (MoELoRA's router).
   */
  readonly evaluation: 'merged' | 'unmerged';
  /** Hyper-parameter flags, each `--<name> <value>` on the CLI, parsed over `defaults(preset)`. */
  readonly flags: readonly MethodFlag<H>[];

  /** Every hyper-parameter of the method for a preset (the values the CLI starts from). */
  defaults(preset: PresetName): H;
  /** Cross-field checks after the flags are applied; throw `METHOD.BAD_FLAG` (INVALID_ARGUMENT). */
  validate?(hyper: H, preset: PresetName): void;
  /**
   * Overrides of the loop's training hyper-parameters for this method (e.g. full tuning's lower
   * rate). Anything not returned keeps the loop's per-preset default (`TrainingHyper`).
   */
  training?(hyper: H, preset: PresetName): Partial<TrainingHyper>;

  /**
   * The stages of the run. Default: one stage per task, in order, named after it, all training.
   * `multitask` returns one stage over every task; `zeroshot` returns stages that do not train.
   */
  plan?(tasks: readonly string[], hyper: H): readonly StagePlan[];

  /**
   * What stage `ctx.stage` trains and from which values. `ctx.start` already holds the chained
   * weights (base + what the previous stage trained, projector per fidelity); a typical method adds
   * a fresh adapter at stage 1 (`initAdapter`, seeded from `ctx.seed`) and otherwise returns
   * `ctx.start` split into trainable and frozen. Every name the forward reads must be in exactly one
   * of `initialWeights` / `frozenWeights`.
   */
  prepareStage(ctx: StageContext<H, S>): StageSetup | Promise<StageSetup>;

  /**
   * The samples the stage trains on, before the loop's seeded shuffle. Default: `current` (the
   * stage's own tasks). `past` holds the full training sets of the tasks of earlier stages, in
   * stage order (empty at stage 1), so that replay can draw a seeded memory from them
   * (`ctx.rng(label)`); returning them tagged with their own task keeps the per-task counts
   * checkable.
   */
  stageSamples?(
    ctx: StageContext<H, S>,
    current: readonly StageSample[],
    past: readonly TaskSamples[],
  ): readonly StageSample[] | Promise<readonly StageSample[]>;

  /**
   * Extra per-batch graph inputs the loss needs (e.g. lwf's teacher logits [batch, seq, vocab]).
   * Called once per training-graph shape; the loop declares each as a graph input and hands the
   * `Value`s to `extraLoss` as `g.inputs`.
   */
  extraInputs?(ctx: StageContext<H, S>, shape: BatchShape): readonly InputSpec[];

  /**
   * Values for `extraInputs`, for one micro-batch. `batch.feeds` holds the model's own inputs
   * (VLM_INPUTS of @coin/model: pixels, ids, labels, masks) exactly as the training graph gets them,
   * so a teacher can run on the same tensors. Padding rows (all labels −100) are included.
   */
  extraFeeds?(batch: StageBatch, ctx: StageContext<H, S>): Promise<Record<string, HostTensor>>;

  /**
   * Scalar terms added to the cross-entropy inside the training graph (gradients flow through
   * them). Called once per training graph being built, i.e. once per (batch, seq) shape. Return a
   * float32 scalar `Value` (it is added to the mean cross-entropy as is, so fold λ/2 etc. in), or
   * undefined for no term. Constant tensors (Fisher, previous parameters, earlier A's) go in with
   * `g.b.constant(...)`; keep them on the state, not recomputed per graph.
   */
  extraLoss?(g: LossGraph, ctx: StageContext<H, S>): Value | undefined;

  /**
   * After the stage's last optimizer step (and only then; never after a kill): the state that
   * stage k + 1 sees as `ctx.state` (e.g. ewc's Fisher and anchor parameters, lwf's teacher
   * weights, olora's merged adapters). The previous state is `ctx.state`.
   */
  afterStage?(ctx: StageContext<H, S>, outcome: StageOutcome): S | Promise<S>;

  /**
   * State ↔ tensors, for resuming a run at a later stage: the loop stores `encodeState` in the
   * stage's checkpoint folder (`method_state.safetensors`) and calls `decodeState` when a run is
   * resumed after that stage. Required of every method whose `afterStage` returns a state.
   */
  encodeState?(state: S): ReadonlyMap<string, TensorData>;
  decodeState?(tensors: ReadonlyMap<string, TensorData>, ctx: StageContext<H, S>): S;

  /**
   * What the stage's checkpoint holds. Default: `{ kind: 'adapter', adapter: setup.adapter,
   * weights: outcome.trained }` (PEFT layout: adapter weights + non-LoRA trainables). Full tuning
   * writes `kind: 'base'` with every base weight; olora may write its merged stack as one adapter.
   * When a method returns an adapter of its own, the loop also keeps `outcome.trained` beside it
   * (`carry.safetensors`), so that a run resumed after this stage carries exactly what it trained.
   */
  checkpointWeights?(ctx: StageContext<H, S>, outcome: StageOutcome): CheckpointWeights;
}

/** The method's own hyper-parameters: flat, JSON-serialisable (recorded in each checkpoint). */
export type MethodHyper = Readonly<Record<string, number | string | boolean>>;

export type Fidelity = 'coin' | 'strict';

/**
 * One `--<name> <value>` flag of a method. `parse` turns the raw string into the value of
 * `hyper[key]` or throws `methodFlagError(...)`; range checks belong here too, so a bad value
 * stops the run before anything is written.
 */
export interface MethodFlag<H extends MethodHyper = MethodHyper> {
  /** Flag name without dashes, prefixed with the method for method-specific knobs: `ewc-lambda`. */
  readonly name: string;
  readonly key: keyof H & string;
  /** One line for `--help`; say the unit and the default's origin (CoIN, scaled). */
  readonly help: string;
  parse(raw: string, preset: PresetName): H[keyof H];
}

/** The loop's own hyper-parameters (docs/protocol.md#training-hyper-parameters). */
export interface TrainingHyper {
  readonly epochs: number;
  /** Samples per micro-batch (the largest bucket's batch; longer buckets may hold fewer). */
  readonly batchSize: number;
  /** Micro-batches per optimizer step. */
  readonly accumulation: number;
  /** Peak rate of every non-projector parameter. */
  readonly lr: number;
  /** Peak rate of the projector group (`strict`; `coin` runs every group at `lr`). */
  readonly projectorLr: number;
  readonly warmupRatio: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
}

export interface StagePlan {
  /** Folder name of the stage's checkpoint: the task name, or e.g. `multitask`. */
  readonly name: string;
  /** Tasks whose training files this stage reads as `current`. */
  readonly tasks: readonly string[];
  /** False: no optimizer step runs (zeroshot); the checkpoint still records the stage. */
  readonly train: boolean;
}

/** One training record as the loop carries it: which task it came from and its place in the file. */
export interface StageSample {
  readonly task: string;
  /** Index of the record in its task's training file (stable across runs; the resume cursor). */
  readonly index: number;
  readonly record: TrainRecord;
}

export interface TaskSamples {
  readonly task: string;
  readonly samples: readonly StageSample[];
}

export interface StageContext<H extends MethodHyper = MethodHyper, S = unknown> {
  readonly preset: PresetName;
  /** The base's model config with the tokenizer's vocabulary and the run's maxSeq. */
  readonly config: ModelConfig;
  readonly fidelity: Fidelity;
  /** The run's seed; derive every random draw from it (`rng`) so that runs and resumes repeat. */
  readonly seed: number;
  /** 1-based index into `plan`, and the plan itself. */
  readonly stage: number;
  readonly plan: readonly StagePlan[];
  readonly hyper: H;
  readonly training: TrainingHyper;
  /** The base model's weights as loaded (vision tower, projector, decoder; no adapter). */
  readonly base: ReadonlyMap<string, TensorData>;
  /**
   * The chained starting point of this stage: `base` overlaid with every weight the previous stage
   * trained (adapter, projector, or all decoder weights for full tuning); under `coin` fidelity the
   * projector is reset to the base's at stages ≥ 2, as CoIN's loader effectively does.
   */
  readonly start: ReadonlyMap<string, TensorData>;
  /** What the previous stage's `afterStage` returned; undefined at stage 1. */
  readonly state: S | undefined;
  /** Options for any ORT session a method creates (a teacher): same provider and threads. */
  readonly session: SessionOptions;
  /** `Rng.for(seed, 'method', name, stage, label)`: a stream of its own per label and stage. */
  rng(label: string): Rng;
}

export interface StageSetup {
  /** The adapter the training graph is built with (`kind: 'full'` for full tuning). */
  readonly adapter: AdapterConfig;
  /**
   * The trainable parameters and their starting values, in flat-vector order. Names under
   * `projector.` form the `projector` rate group, the rest `default`.
   */
  readonly initialWeights: ReadonlyMap<string, TensorData>;
  /** Every other weight the forward reads (baked into the graph as initializers). */
  readonly frozenWeights: ReadonlyMap<string, TensorData>;
}

export interface BatchShape {
  readonly batch: number;
  readonly seq: number;
}

export interface InputSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
}

export interface StageBatch extends BatchShape {
  /** The model's inputs by name (VLM_INPUTS), as fed to the training graph. */
  readonly feeds: Readonly<Record<string, HostTensor>>;
  /** The real samples of the batch, row by row; rows beyond them are padding. */
  readonly samples: readonly StageSample[];
}

/** What `extraLoss` can build on, for one training graph. */
export interface LossGraph extends BatchShape {
  readonly b: GraphBuilder;
  /** Trainable parameters by name, as the forward reads them (gradients flow to these). */
  readonly params: ReadonlyMap<string, Value>;
  readonly logits: Value; // [batch, seq, vocab] float32, unshifted
  readonly labels: Value; // [batch, seq] int64, −100 where no loss
  /** The values of `extraInputs`, by name. */
  readonly inputs: ReadonlyMap<string, Value>;
  readonly vocab: number;
}

export interface StageOutcome {
  readonly setup: StageSetup;
  /** Final values of `setup.initialWeights`' names after the stage's last step. */
  readonly trained: ReadonlyMap<string, TensorData>;
  /** The samples the stage trained on (after `stageSamples`, in file order, before shuffling). */
  readonly samples: readonly StageSample[];
  /** The stage's batches (same buckets as training, no shuffle), e.g. for a Fisher estimate. */
  batches(): AsyncIterable<StageBatch>;
  /**
   * Gradient of the cross-entropy alone (no `extraLoss`) at the trained values, for one batch,
   * by trainable name; nothing is updated.
   */
  gradient(batch: StageBatch): Promise<{ loss: number; grad: ReadonlyMap<string, Float32Array> }>;
}

export type CheckpointWeights =
  | {
      readonly kind: 'adapter';
      readonly adapter: AdapterConfig;
      /** Adapter weights and non-LoRA trainables (projector), internal names. */
      readonly weights: ReadonlyMap<string, TensorData>;
    }
  | { readonly kind: 'base'; readonly weights: ReadonlyMap<string, TensorData> };

/** A method as the registry holds it (its hyper-parameter and state types erased). */
export type AnyMethod = ContinualMethod<MethodHyper, unknown>;

/**
 * A typed method as a registry entry. The loop only ever hands a method the hyper-parameters its
 * own `defaults` and `flags` produced and the state its own `afterStage` returned, so erasing the
 * types here is sound; it is the one place that does it.
 */
export function registryEntry<H extends MethodHyper, S>(method: ContinualMethod<H, S>): AnyMethod {
  return method as unknown as AnyMethod;
}

/** The error every bad method flag raises (the CLI exits 2 on it). */
export function methodFlagError(method: string, flag: string, message: string, hint?: string): CoinError {
  return new CoinError('METHOD.BAD_FLAG', 'INVALID_ARGUMENT', `--${flag} (method ${method}): ${message}`, { hint });
}

/**
 * The methods by name. Built from one explicit list; a duplicate name is refused, as the op
 * registry of libs/autodiff does.
 */
export class MethodRegistry {
  private readonly byName = new Map<string, AnyMethod>();

  constructor(methods: readonly AnyMethod[]) {
    for (const m of methods) {
      if (this.byName.has(m.name)) throw new Error(`method ${m.name} is registered twice`);
      const flags = new Set<string>();
      for (const f of m.flags) {
        if (flags.has(f.name)) throw new Error(`method ${m.name} declares --${f.name} twice`);
        flags.add(f.name);
      }
      this.byName.set(m.name, m);
    }
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** The method called `name`, or METHOD.UNKNOWN naming the registered ones. */
  get(name: string): AnyMethod {
    const m = this.byName.get(name);
    if (!m)
      throw new CoinError('METHOD.UNKNOWN', 'INVALID_ARGUMENT', `unknown method ${name}`, {
        hint: `methods are ${this.names.join(', ')}`,
      });
    return m;
  }

  /**
   * The method's hyper-parameters for a preset with `raw` flags applied (`{ 'ewc-lambda': '5000' }`,
   * names without dashes). A flag the method does not declare is METHOD.BAD_FLAG.
   */
  resolve(name: string, preset: PresetName, raw: Readonly<Record<string, string>>): MethodHyper {
    const m = this.get(name);
    const hyper: Record<string, number | string | boolean> = { ...m.defaults(preset) };
    for (const [flag, value] of Object.entries(raw)) {
      const spec = m.flags.find((f) => f.name === flag);
      if (!spec) {
        const known = m.flags.map((f) => `--${f.name}`).join(', ') || 'none';
        throw methodFlagError(m.name, flag, 'not a flag of this method', `its flags are: ${known}`);
      }
      hyper[spec.key] = spec.parse(value, preset);
    }
    m.validate?.(hyper, preset);
    return hyper;
  }
}
