import type { TrainGraphSpec } from '@coin/autodiff';
import { CoinError } from '@coin/core';
import type { ModelConfig } from '@coin/model';
import type { TensorData } from '@coin/onnx';
import type { HostTensor, SessionOptions } from '@coin/runtime';
import type { Fidelity, StageBatch, TrainingHyper } from '../methods/method.js';
import { deepSpeedWarmupLr, type LrSchedule, warmupCosine } from '../schedule/lr-schedule.js';
import type { SequenceBucket } from '../sequence/default-buckets.js';
import { planEpoch, type StepPlan } from './batches.js';
import { buildMicroBatch } from './batch-feeds.js';
import { StageEngine, type TrainSnapshot } from './engine.js';
import type { ImageStore, PreparedSample } from './samples.js';

/** One row of `train-log.jsonl` and of the progress callback. */
export interface StepLog {
  readonly stage: string;
  readonly step: number; // 1-based optimizer step within the stage
  readonly steps: number; // optimizer steps in the stage
  readonly loss: number;
  readonly lr: number; // the default group's rate
  readonly grad_norm: number;
  readonly tok_s: number; // real (non-padding) positions per second over this step
}

export interface StageTrainOptions {
  readonly stage: string;
  readonly config: ModelConfig;
  readonly padId: number;
  readonly images: ImageStore;
  readonly samples: readonly PreparedSample[];
  /** The (batch, seq) shapes the stage runs in (stageBuckets); samples are cut to the longest. */
  readonly buckets: readonly SequenceBucket[];
  readonly training: TrainingHyper;
  readonly fidelity: Fidelity;
  /** Seed of this stage's data order and dropout; derived from the run seed and the stage. */
  readonly seed: number;
  /** Trainable names in flat order with their starting values. */
  readonly trainable: ReadonlyMap<string, TensorData>;
  readonly makeSpec: (batch: number, seq: number) => TrainGraphSpec;
  readonly extraFeeds?: (batch: StageBatch) => Promise<Record<string, HostTensor>>;
  readonly session: SessionOptions;
  /** Called after every optimizer step (after any resumable checkpoint of that step); may throw to stop. */
  readonly onStep?: (row: StepLog) => void;
  /** Resumable checkpoints: every `every` steps `save` receives the state and the steps taken. */
  readonly resumable?: { readonly every: number; save(s: TrainSnapshot): Promise<void> };
  /** A snapshot to continue from (the data order is rebuilt from the seed and skipped to it). */
  readonly resumeFrom?: TrainSnapshot;
}

export interface StageResult {
  readonly trained: Map<string, TensorData>;
  readonly steps: number;
  readonly losses: number[];
}

/** The whole stage's step plan: every epoch's seeded order, bucketed (docs/protocol.md#training-hyper-parameters). */
export function stagePlan(
  o: Pick<StageTrainOptions, 'samples' | 'training' | 'seed' | 'stage' | 'buckets'>,
): StepPlan[] {
  const lengths = o.samples.map((s) => s.length);
  const shortest = Math.min(...o.buckets.map((b) => b.seq));
  const samplesPerStep = o.buckets.find((b) => b.seq === shortest)!.batch * o.training.accumulation;
  const steps: StepPlan[] = [];
  for (let epoch = 0; epoch < o.training.epochs; epoch++)
    steps.push(...planEpoch({ lengths, buckets: o.buckets, samplesPerStep, seed: o.seed, label: [o.stage, epoch] }));
  return steps;
}

/** `coin`: CoIN's effective DeepSpeed WarmupLR; `strict`: warm-up + cosine, projector at its own peak. */
export function stageSchedule(fidelity: Fidelity, training: TrainingHyper, totalSteps: number): LrSchedule {
  const base = { totalSteps, warmupRatio: training.warmupRatio };
  return fidelity === 'coin'
    ? deepSpeedWarmupLr({ ...base, peak: { default: training.lr, projector: training.lr } })
    : warmupCosine({ ...base, peak: { default: training.lr, projector: training.projectorLr } });
}

/**
 * Trains one stage: a fresh optimizer over the method's trainable set, the seeded plan of steps,
 * the schedule of the fidelity, and resumable snapshots. A resumed stage rebuilds the same plan,
 * restores the state and continues at the next step, so it ends with the same bits as a stage that
 * never stopped.
 */
export async function trainStage(o: StageTrainOptions): Promise<StageResult> {
  if (o.samples.length === 0)
    throw new CoinError('TRAIN.NO_SAMPLES', 'INVALID_ARGUMENT', `stage ${o.stage} has no training samples`);
  const plan = stagePlan(o);
  const schedule = stageSchedule(o.fidelity, o.training, plan.length);
  const initial = Object.fromEntries([...o.trainable].map(([n, t]) => [n, t.data as Float32Array]));
  // Steps of long samples take more micro-batches than `accumulation`: the runners accumulate up to the most any step has.
  const accumulation = Math.max(1, ...plan.map((p) => p.micro.length));
  const engine = StageEngine.create(o.makeSpec, initial, { ...o.session, accumulation });
  const losses: number[] = [];
  try {
    if (o.resumeFrom) engine.restore(o.resumeFrom);
    // The next step's batches (tokens laid out, images decoded) are built while ORT runs this one.
    const build = (k: number): Promise<StageBatch[]> =>
      Promise.all(
        plan[k].micro.map((rows) =>
          buildMicroBatch(
            rows.map((i) => o.samples[i]),
            plan[k].batch,
            plan[k].seq,
            o.config,
            o.padId,
            o.images,
          ),
        ),
      );
    let next = engine.steps < plan.length ? build(engine.steps) : undefined;
    for (let k = engine.steps; k < plan.length; k++) {
      const step = plan[k];
      const started = performance.now();
      const batches = await next!;
      next = k + 1 < plan.length ? build(k + 1) : undefined;
      next?.catch(() => undefined); // a failure surfaces when the next step awaits it
      const micro: Record<string, HostTensor>[] = [];
      for (const batch of batches) micro.push({ ...batch.feeds, ...(await o.extraFeeds?.(batch)) });
      const tokens = step.micro.flat().reduce((n, i) => n + o.samples[i].length, 0);
      const rates = schedule.rateAt(k + 1);
      // One seed per micro-batch, a function of the position in the stage only (the graph mixes in
      // the stage's base seed): a resumed stage feeds the same ones.
      const seeds = micro.map((_, i) => k * accumulation + i);
      const r = await engine.step(step.batch, step.seq, micro, rates, seeds);
      losses.push(r.loss);
      const seconds = (performance.now() - started) / 1000;
      if (o.resumable && (k + 1) % o.resumable.every === 0 && k + 1 < plan.length)
        await o.resumable.save(engine.snapshot());
      o.onStep?.({
        stage: o.stage,
        step: k + 1,
        steps: plan.length,
        loss: r.loss,
        lr: rates.default,
        grad_norm: r.gradNorm,
        tok_s: tokens / Math.max(seconds, 1e-9),
      });
    }
    const params = engine.params();
    const trained = new Map<string, TensorData>();
    for (const [n, t] of o.trainable) trained.set(n, { dtype: 'float32', dims: t.dims, data: params[n] });
    return { trained, steps: plan.length, losses };
  } finally {
    await engine.release();
  }
}
