import { TrainRunner, type TrainGraphSpec, gradients } from '@coin/autodiff';
import { Rng } from '@coin/core';
import { declareVlmInputs, lmHead, shiftedLmLoss, VLM_INPUTS, vlmHidden, WeightSource } from '@coin/model';
import { GraphBuilder, serializeModel, type TensorData, type Value } from '@coin/onnx';
import { createSession, type HostTensor } from '@coin/runtime';
import type {
  AnyMethod,
  CheckpointWeights,
  Fidelity,
  LossGraph,
  StageBatch,
  StageContext,
  StageOutcome,
  StageSample,
  StageSetup,
  TaskSamples,
  TrainingHyper,
} from '../methods/method.js';
import { METHODS } from '../methods/registry.js';
import { colourBatch, MICRO, MICRO_BATCH, MICRO_SEQ, microBase } from './micro-vlm.js';

/**
 * A minimal driver of a ContinualMethod's hooks, beside the real loop (runContinual, tested in
 * methods-run.test.ts): it calls them in the documented order on micro colour tasks (a task = a set
 * of colours; the answer names the image's colour), trains with plain AdamW steps, and reports what
 * the loop does not: the method's extra term itself, before and after each stage (measured by a
 * probe graph that also gives the cross-entropy's gradient for `outcome.gradient`).
 */
export interface StageReport {
  readonly losses: number[];
  /** The samples the stage trained on (after stageSamples). */
  readonly samples: readonly StageSample[];
  /** The extra loss term at the stage's first and last parameters (undefined: none built). */
  readonly penaltyStart: number | undefined;
  readonly penaltyEnd: number | undefined;
  readonly setup: StageSetup;
  readonly trained: ReadonlyMap<string, TensorData>;
  readonly checkpoint: CheckpointWeights | undefined;
  /** What afterStage returned. */
  readonly state: unknown;
}

export interface DriveOptions {
  readonly method: string;
  readonly flags?: Readonly<Record<string, string>>;
  /** Colours of each task, in stage order. */
  readonly tasks: readonly (readonly number[])[];
  readonly samplesPerTask: number;
  readonly steps: number;
  readonly lr: number;
  readonly fidelity?: Fidelity;
  readonly seed?: number;
}

const TRAINING: TrainingHyper = {
  epochs: 1,
  batchSize: MICRO_BATCH,
  accumulation: 1,
  lr: 3e-3,
  projectorLr: 3e-3,
  warmupRatio: 0,
  weightDecay: 0,
  maxGradNorm: 1,
};

const sample = (task: string, colour: number, index: number): StageSample => ({
  task,
  index,
  record: { id: `${task}-${index}`, image: `colour${colour}`, conversations: [] },
});
const colourOf = (s: StageSample) => Number(s.record.image!.slice('colour'.length));

function batchOf(samples: readonly StageSample[], seed: number): StageBatch {
  const feeds = colourBatch(
    samples.map((s, i) => ({ colour: colourOf(s), id: i })),
    seed,
  );
  return { batch: MICRO_BATCH, seq: MICRO_SEQ, feeds, samples };
}

export async function driveMethod(o: DriveOptions): Promise<StageReport[]> {
  const m: AnyMethod = METHODS.get(o.method);
  const hyper = METHODS.resolve(o.method, 'micro', o.flags ?? {});
  const seed = o.seed ?? 7;
  const base = microBase();
  const names = o.tasks.map((_, k) => `task${k + 1}`);
  const plan = names.map((name) => ({ name, tasks: [name], train: true }));
  const data: TaskSamples[] = o.tasks.map((colours, k) => ({
    task: names[k],
    samples: Array.from({ length: o.samplesPerTask }, (_, i) => sample(names[k], colours[i % colours.length], i)),
  }));
  let state: unknown;
  let carried = new Map<string, TensorData>();
  const reports: StageReport[] = [];
  for (let stage = 1; stage <= o.tasks.length; stage++) {
    const start = new Map([...base, ...carried]);
    if ((o.fidelity ?? 'strict') === 'coin')
      for (const n of start.keys()) if (n.startsWith('projector.')) start.set(n, base.get(n)!);
    const ctx: StageContext = {
      preset: 'micro',
      config: MICRO,
      fidelity: o.fidelity ?? 'strict',
      seed,
      stage,
      plan,
      hyper,
      training: TRAINING,
      base,
      start,
      state,
      session: { threads: 1 },
      rng: (label) => Rng.for(seed, 'method', o.method, stage, label),
    };
    const setup = await m.prepareStage(ctx);
    const current = data[stage - 1].samples;
    const samples = (await m.stageSamples?.(ctx, current, data.slice(0, stage - 1))) ?? current;
    const graph = forwardGraph(m, ctx, setup);
    const runner = await TrainRunner.create(graph.spec, { threads: 1 });
    runner.setParams(Object.fromEntries([...setup.initialWeights].map(([n, t]) => [n, t.data as Float32Array])));
    const probe = await probeSession(m, ctx, setup);
    const batchesIn = (order: readonly StageSample[]) =>
      Array.from({ length: Math.floor(order.length / MICRO_BATCH) }, (_, i) =>
        batchOf(order.slice(i * MICRO_BATCH, (i + 1) * MICRO_BATCH), stage * 1000 + i),
      );
    const withExtra = async (b: StageBatch) => ({ ...b.feeds, ...((await m.extraFeeds?.(b, ctx)) ?? {}) });
    const first = batchesIn(samples)[0];
    const penaltyStart = (await probe.run(runner.getParams(), await withExtra(first))).penalty;
    const losses: number[] = [];
    const rng = Rng.for(seed, 'shuffle', stage);
    let batches: StageBatch[] = [];
    for (let s = 0; s < o.steps; s++) {
      if (batches.length === 0) batches = batchesIn(rng.shuffle(samples));
      losses.push((await runner.step(await withExtra(batches.pop()!), o.lr)).loss);
    }
    const params = runner.getParams();
    const penaltyEnd = (await probe.run(params, await withExtra(first))).penalty;
    const trained = new Map(
      [...setup.initialWeights].map(([n, t]) => [n, { dtype: 'float32' as const, dims: t.dims, data: params[n] }]),
    );
    const outcome: StageOutcome = {
      setup,
      trained,
      samples,
      async *batches() {
        yield* batchesIn(samples);
      },
      gradient: async (b) => {
        const out = await probe.run(params, await withExtra(b));
        return { loss: out.ce, grad: out.grad };
      },
    };
    const checkpoint = m.checkpointWeights?.(ctx, outcome);
    state = await m.afterStage?.(ctx, outcome);
    carried = new Map(trained);
    await Promise.all([runner.release(), probe.release()]);
    reports.push({ losses, samples, penaltyStart, penaltyEnd, setup, trained, checkpoint, state });
  }
  return reports;
}

/** The loss the loop builds: cross-entropy + the method's extra term, with its extra inputs. */
function buildLoss(
  m: AnyMethod,
  ctx: StageContext,
  setup: StageSetup,
  b: GraphBuilder,
  params: ReadonlyMap<string, Value>,
) {
  const fwd = { b, w: new WeightSource(b, setup.frozenWeights, params), adapter: setup.adapter };
  const inputs = declareVlmInputs(b, MICRO, MICRO_BATCH, MICRO_SEQ);
  const labels = b.input(VLM_INPUTS.labels, 'int64', [MICRO_BATCH, MICRO_SEQ]);
  const logits = lmHead(fwd, MICRO.decoder, vlmHidden(fwd, MICRO, inputs));
  const ce = shiftedLmLoss(b, logits, labels, MICRO_SEQ, MICRO.decoder.vocab);
  const shape = { batch: MICRO_BATCH, seq: MICRO_SEQ };
  const extraInputs = new Map(
    (m.extraInputs?.(ctx, shape) ?? []).map((s) => [s.name, b.input(s.name, s.dtype, s.dims)] as const),
  );
  const g: LossGraph = { ...shape, b, params, logits, labels, inputs: extraInputs, vocab: MICRO.decoder.vocab };
  return { ce, extra: m.extraLoss?.(g, ctx) };
}

function forwardGraph(m: AnyMethod, ctx: StageContext, setup: StageSetup): { spec: TrainGraphSpec } {
  return {
    spec: {
      name: `drive_${m.name}`,
      trainable: [...setup.initialWeights].map(([name, t]) => ({ name, dims: t.dims, decay: t.dims.length > 1 })),
      forward: (b, params) => {
        const { ce, extra } = buildLoss(m, ctx, setup, b, params);
        return extra ? b.op('Add', [ce, extra]) : ce;
      },
    },
  };
}

/** Cross-entropy, the extra term and the cross-entropy's gradient at given parameter values. */
async function probeSession(m: AnyMethod, ctx: StageContext, setup: StageSetup) {
  const b = new GraphBuilder('probe');
  const params = new Map([...setup.initialWeights].map(([n, t]) => [n, b.input(n, 'float32', t.dims)]));
  const { ce, extra } = buildLoss(m, ctx, setup, b, params);
  b.output(ce, 'ce');
  b.output(extra ?? b.op('Mul', [ce, b.scalar('float32', 0)]), 'penalty');
  for (const [n, g] of gradients(b, ce, [...params.values()])) b.output(b.op('Identity', [g]), `grad/${n}`);
  const session = await createSession(serializeModel(b.model()), { threads: 1 });
  return {
    run: async (values: Record<string, Float32Array>, feeds: Record<string, HostTensor>) => {
      const host = Object.fromEntries(
        [...setup.initialWeights].map(([n, t]) => [
          n,
          { dtype: 'float32', dims: t.dims, data: values[n] } as HostTensor,
        ]),
      );
      const out = await session.run({ ...feeds, ...host });
      const grad = new Map([...params.keys()].map((n) => [n, out[`grad/${n}`].data as Float32Array]));
      return {
        ce: Number(out.ce.data[0]),
        penalty: extra ? Number(out.penalty.data[0]) : undefined,
        grad,
      };
    },
    release: () => session.release(),
  };
}
