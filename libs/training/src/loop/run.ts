import { mkdir } from 'node:fs/promises';
import { Rng } from '@coin/core';
import type { InstructionVariant } from '@coin/data';
import type { ModelConfig, Tokenizer } from '@coin/model';
import type { TensorData } from '@coin/onnx';
import type { SessionOptions } from '@coin/runtime';
import type {
  AnyMethod,
  CheckpointWeights,
  Fidelity,
  MethodHyper,
  PresetName,
  StageContext,
  StageOutcome,
  StagePlan,
  StageSample,
  TaskSamples,
  TrainingHyper,
} from '../methods/method.js';
import { GradientProbe } from './gradient.js';
import { ImageStore, prepareSamples, readTaskSamples } from './samples.js';
import { type StepLog, stagePlan, trainStage } from './stage.js';
import {
  checkStageMatches,
  clearResume,
  loadResume,
  loadStageCarry,
  readStageMeta,
  resumeDir,
  saveResume,
  type StageMeta,
  stageDir,
  writeStageCheckpoint,
} from './stage-checkpoint.js';
import { stageTrainSpec } from './train-graph.js';
import { buildMicroBatch } from './batch-feeds.js';
import { bucketFor } from '../sequence/default-buckets.js';
import { stageBuckets } from './batches.js';

export interface BaseModel {
  readonly config: ModelConfig;
  readonly weights: ReadonlyMap<string, TensorData>;
  readonly tokenizer: Tokenizer;
  /** sha256 naming the base (its inputs' key, or its files' hash); recorded in every checkpoint. */
  readonly key: string;
}

export interface ContinualRunOptions {
  readonly method: AnyMethod;
  readonly hyper: MethodHyper;
  readonly training: TrainingHyper;
  readonly preset: PresetName;
  readonly fidelity: Fidelity;
  readonly seed: number;
  readonly tasks: readonly string[];
  readonly dataDir: string;
  readonly variant?: InstructionVariant;
  readonly base: BaseModel;
  readonly out: string;
  readonly session?: SessionOptions;
  /**
   * Resumable snapshot every N optimizer steps inside a stage (0 = only at stage ends); a function
   * gets the stage's step count and returns N (0 = none).
   */
  readonly checkpointEvery?: number | ((steps: number) => number);
  /** Continue a run in `out`: finished stages are loaded, an interrupted one continues from its snapshot. */
  readonly resume?: boolean;
  /** Stop after this many stages of the plan (`coin run` trains one stage per unit). Default: all. */
  readonly untilStage?: number;
  readonly onStageStart?: (stage: StagePlan, index: number, steps: number) => void;
  readonly onStep?: (row: StepLog) => void;
  readonly onStageEnd?: (stage: StagePlan, index: number, dir: string) => void;
}

export interface StageRecord {
  readonly plan: StagePlan;
  readonly dir: string;
  readonly steps: number;
  readonly losses: readonly number[];
  readonly truncated: number;
  /** Samples the stage trained on, per task (replay's memory shows up under the past tasks). */
  readonly samplesPerTask: Readonly<Record<string, number>>;
  /** True when the stage was found finished in `out` and loaded instead of trained. */
  readonly loaded: boolean;
}

/**
 * A continual run: the method's stages in order, each starting from the chained weights of the
 * previous one (docs/protocol.md#stage-chaining), with one checkpoint folder per stage.
 */
export async function runContinual(o: ContinualRunOptions): Promise<StageRecord[]> {
  const { method, base } = o;
  const variant = o.variant ?? 'original';
  const session = o.session ?? {};
  const plan = method.plan?.(o.tasks, o.hyper) ?? o.tasks.map((t) => ({ name: t, tasks: [t], train: true }));
  const images = new ImageStore(o.dataDir, base.config.vision.imageSize);
  // Read every task up front: a missing file stops the run before anything is written.
  const byTask = new Map<string, StageSample[]>();
  for (const t of new Set(plan.flatMap((p) => p.tasks))) byTask.set(t, await readTaskSamples(o.dataDir, variant, t));
  await mkdir(o.out, { recursive: true });

  let carried = new Map<string, TensorData>(); // what the previous stage trained
  let state: unknown;
  const records: StageRecord[] = [];
  const last = Math.min(plan.length, o.untilStage ?? plan.length);
  for (let k = 1; k <= last; k++) {
    const p = plan[k - 1];
    const dir = stageDir(o.out, k, p.name);
    const ctx: StageContext = {
      preset: o.preset,
      config: base.config,
      fidelity: o.fidelity,
      seed: o.seed,
      stage: k,
      plan,
      hyper: o.hyper,
      training: o.training,
      base: base.weights,
      start: chainedStart(base.weights, carried, o.fidelity, k),
      state,
      session,
      rng: (label) => Rng.for(o.seed, 'method', method.name, k, label),
    };
    const finished = o.resume ? await readStageMeta(dir) : undefined;
    if (finished) {
      checkStageMatches(dir, finished, { base: base.key, preset: o.preset });
      const loaded = await loadStageCarry(dir, finished);
      carried = loaded.carried;
      state = loaded.state && method.decodeState ? method.decodeState(loaded.state, ctx) : undefined;
      records.push({ plan: p, dir, steps: finished.steps, losses: [], truncated: 0, samplesPerTask: {}, loaded: true });
      continue;
    }
    const setup = await method.prepareStage(ctx);
    const current = p.tasks.flatMap((t) => byTask.get(t)!);
    const past: TaskSamples[] = plan
      .slice(0, k - 1)
      .flatMap((q) => q.tasks)
      .map((t) => ({ task: t, samples: byTask.get(t)! }));
    const samples = (await method.stageSamples?.(ctx, current, past)) ?? current;
    const buckets = stageBuckets(o.preset, o.training.batchSize, base.config.decoder.maxSeq);
    const longest = Math.max(...buckets.map((b) => b.seq));
    const { prepared, truncated } = prepareSamples(samples, base.tokenizer, base.config, longest);
    const stageSeed = Rng.for(o.seed, 'stage', k).nextU32();
    const graph = {
      config: base.config,
      adapter: setup.adapter,
      trainable: setup.initialWeights,
      frozen: setup.frozenWeights,
      weightDecay: o.training.weightDecay,
      maxGradNorm: o.training.maxGradNorm,
    };
    const withMethod = {
      ...graph,
      dropoutSeed: stageSeed,
      extraInputs: method.extraInputs ? (s: { batch: number; seq: number }) => method.extraInputs!(ctx, s) : undefined,
      extraLoss: method.extraLoss
        ? (g: Parameters<NonNullable<AnyMethod['extraLoss']>>[0]) => method.extraLoss!(g, ctx)
        : undefined,
    };
    const padId = base.tokenizer.padId;
    const rdir = resumeDir(o.out, k, p.name);
    const owner = { base: base.key, preset: o.preset, method: method.name, seed: o.seed };
    let trained: ReadonlyMap<string, TensorData> = setup.initialWeights;
    let losses: number[] = [];
    let steps = 0;
    if (p.train) {
      const planned = stagePlan({ samples: prepared, training: o.training, seed: stageSeed, stage: p.name, buckets });
      o.onStageStart?.(p, k, planned.length);
      const every =
        typeof o.checkpointEvery === 'function' ? o.checkpointEvery(planned.length) : (o.checkpointEvery ?? 0);
      const r = await trainStage({
        stage: p.name,
        config: base.config,
        padId,
        images,
        samples: prepared,
        buckets,
        training: o.training,
        fidelity: o.fidelity,
        seed: stageSeed,
        trainable: setup.initialWeights,
        makeSpec: (b, s) => stageTrainSpec(withMethod, b, s),
        extraFeeds: method.extraFeeds ? (batch) => method.extraFeeds!(batch, ctx) : undefined,
        session,
        onStep: o.onStep,
        resumable: every > 0 ? { every, save: (s) => saveResume(rdir, s, owner) } : undefined,
        resumeFrom: o.resume ? await loadResume(rdir, owner) : undefined,
      });
      trained = r.trained;
      losses = r.losses;
      steps = r.steps;
    } else {
      o.onStageStart?.(p, k, 0);
    }
    const probe = new GradientProbe((b, s) => stageTrainSpec(graph, b, s), trained, session);
    const outcome: StageOutcome = {
      setup,
      trained,
      samples,
      // In sample order, each batch in the shortest bucket that holds it (few gradient graphs).
      batches: async function* () {
        for (let i = 0; i < prepared.length; ) {
          const bucket = bucketFor(prepared[i].length, buckets);
          const rows = prepared.slice(i, i + bucket.batch);
          const fit = bucketFor(Math.max(...rows.map((r) => r.length)), buckets);
          const taken = rows.slice(0, Math.min(rows.length, fit.batch));
          yield buildMicroBatch(taken, fit.batch, fit.seq, base.config, padId, images);
          i += taken.length;
        }
      },
      gradient: (batch) => probe.gradient(batch),
    };
    try {
      state = (await method.afterStage?.(ctx, outcome)) ?? state;
    } finally {
      await probe.release();
    }
    const custom = method.checkpointWeights?.(ctx, outcome);
    const weights: CheckpointWeights = custom ?? {
      kind: 'adapter',
      adapter: setup.adapter,
      weights: trained,
    };
    const meta: StageMeta = {
      format: 'coin-stage/1',
      method: method.name,
      fidelity: o.fidelity,
      preset: o.preset,
      seed: o.seed,
      base: base.key,
      stage: k,
      name: p.name,
      tasks: p.tasks,
      variant,
      evaluation: method.evaluation,
      checkpoint: weights.kind,
      hyper: o.hyper,
      training: o.training,
      steps,
    };
    const encoded = state !== undefined && method.encodeState ? method.encodeState(state) : undefined;
    // A method's own adapter layout may not hold `trained` as is (a base checkpoint holds it whole):
    // keep it beside, so a resumed run carries exactly what an uninterrupted one does.
    const carry = custom && custom.kind === 'adapter' ? trained : undefined;
    await writeStageCheckpoint(dir, meta, weights, base.config, encoded, carry);
    await clearResume(rdir);
    o.onStageEnd?.(p, k, dir);
    carried = new Map(trained);
    records.push({ plan: p, dir, steps, losses, truncated, samplesPerTask: countByTask(samples), loaded: false });
  }
  await clearResume(`${o.out}/.resume`);
  return records;
}

/**
 * The weights stage k starts from: the base overlaid with what stage k − 1 trained. Under `coin`
 * fidelity the projector of stages ≥ 2 is the base's again: CoIN saves the projector under
 * PEFT-wrapped keys and its loader matches none of them, so every later stage retrains it from the
 * pretrained projector while the LoRA carries over (docs/protocol.md#stage-chaining).
 */
export function chainedStart(
  base: ReadonlyMap<string, TensorData>,
  carried: ReadonlyMap<string, TensorData>,
  fidelity: Fidelity,
  stage: number,
): Map<string, TensorData> {
  const start = new Map(base);
  for (const [n, t] of carried) {
    if (fidelity === 'coin' && stage >= 2 && n.startsWith('projector.')) continue;
    start.set(n, t);
  }
  return start;
}

function countByTask(samples: readonly StageSample[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of samples) counts[s.task] = (counts[s.task] ?? 0) + 1;
  return counts;
}
