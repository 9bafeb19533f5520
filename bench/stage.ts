/**
 * npm run bench -- stage [--json] [--task T] [--train N] [--rounds R] [--base DIR] [--no-spin] [--warm-images] [--verbose]
 *
 * A real coin-tiny LoRA stage (libs/training's `trainStage`: seeded plan, length buckets, sample
 * building, image decode + preprocessing, the schedule, callbacks) on a CoIN-Synth task written
 * into a temporary folder, against the bare `TrainRunner` steps of the same plan: the same
 * (batch, seq) shapes in the same order, one shared TrainState, feeds built beforehand. The two
 * alternate round after round in one process, with the 1024³ MatMul ceiling probe between rounds.
 *
 * Steady state only: the first step of each shape (graph build + session creation, paid once per
 * shape and stage) is left out of both sides and reported as `setup_s`. Per round, the stage's
 * median wall time per steady step (from one progress callback to the next: batch building, feeds,
 * schedule, the run, callbacks) ÷ the bare runners' median step over the same steps: medians,
 * because other jobs on the shared cores slow a few steps at a time by 2-3×. `loop_overhead` is
 * the median of the rounds against runners warmed by earlier rounds (as `train-step` times them);
 * `loop_overhead_fresh` against runners built again before each pass, as new as the stage's own
 * sessions (whose second to fourth runs are slower), which leaves the loop's host work alone. The base: `--base DIR`, else the store's tiny base (`coin pretrain`),
 * else a freshly initialised tiny model with a tokenizer trained on the world (timing is the same;
 * the output says which).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainGraph, type TrainGraphSpec, TrainRunner, TrainState } from '@coin/autodiff';
import { Rng } from '@coin/core';
import { DEFAULT_SYNTH_OPTIONS, prepareSynth } from '@coin/data';
import { dropoutSeedFeed } from '@coin/model';
import { countMatmulFlops } from '@coin/onnx';
import { createMatmulCeilingProbe, type HostTensor } from '@coin/runtime';
import {
  buildMicroBatch,
  ImageStore,
  METHODS,
  prepareSamples,
  readTaskSamples,
  type StageContext,
  stageBuckets,
  stagePlan,
  stageSchedule,
  stageTrainSpec,
  trainStage,
  trainingDefaults,
} from '@coin/training';
import { arg } from './lib/args.js';
import { loadOrInitTinyBase } from './lib/tiny-base.js';
import { median, quartiles, round } from './lib/stats.js';

const PRESET = 'tiny' as const;
const SEED = 0;

async function main() {
  const json = process.argv.includes('--json');
  const warmImages = process.argv.includes('--warm-images');
  const task = arg('task') ?? 'TextVQA';
  const train = Number(arg('train') ?? 160);
  const rounds = Number(arg('rounds') ?? 3);
  const dir = await mkdtemp(join(tmpdir(), 'coin-bench-stage-'));
  try {
    const world = join(dir, 'world');
    await prepareSynth(world, { ...DEFAULT_SYNTH_OPTIONS, seed: SEED, train, test: 1, pretrain: 4 });
    const { base, source } = await loadOrInitTinyBase(world, SEED);
    const { config } = base;
    const method = METHODS.get('lora');
    const hyper = method.defaults(PRESET);
    const training = trainingDefaults(PRESET);
    // --no-spin: ORT's idle intra-op threads sleep at once (both sides), instead of spinning a while.
    const session = process.argv.includes('--no-spin') ? { spin: false } : {};
    const ctx: StageContext = {
      preset: PRESET,
      config,
      fidelity: 'coin',
      seed: SEED,
      stage: 1,
      plan: [{ name: task, tasks: [task], train: true }],
      hyper,
      training,
      base: base.weights,
      start: new Map(base.weights),
      state: undefined,
      session,
      rng: (label) => Rng.for(SEED, 'method', method.name, 1, label),
    };
    const setup = await method.prepareStage(ctx);
    const buckets = stageBuckets(PRESET, training.batchSize, config.decoder.maxSeq);
    const { prepared } = prepareSamples(
      await readTaskSamples(world, 'original', task),
      base.tokenizer,
      config,
      Math.max(...buckets.map((b) => b.seq)),
    );
    const stageSeed = Rng.for(SEED, 'stage', 1).nextU32();
    const graph = {
      config,
      adapter: setup.adapter,
      trainable: setup.initialWeights,
      frozen: setup.frozenWeights,
      weightDecay: training.weightDecay,
      maxGradNorm: training.maxGradNorm,
      dropoutSeed: stageSeed,
    };
    const makeSpec = (b: number, s: number): TrainGraphSpec => stageTrainSpec(graph, b, s);
    const plan = stagePlan({ samples: prepared, training, seed: stageSeed, stage: task, buckets });
    const schedule = stageSchedule('coin', training, plan.length);
    // Steady steps: every step but the first of its shape (that one builds the graph and session).
    const seen = new Set<string>();
    const steady = plan.map((p) => {
      const key = `${p.batch}x${p.seq}`;
      const again = seen.has(key);
      seen.add(key);
      return again;
    });
    const steadyCount = steady.filter(Boolean).length;
    const flopsByShape = new Map<string, number>();
    for (const key of seen) {
      const [b, s] = key.split('x').map(Number);
      flopsByShape.set(key, countMatmulFlops(buildTrainGraph(makeSpec(b, s), 'step').model.graph));
    }
    const steadyFlops = plan.reduce((n, p, k) => n + (steady[k] ? flopsByShape.get(`${p.batch}x${p.seq}`)! : 0), 0);
    const steadyTokens = plan.reduce(
      (n, p, k) => n + (steady[k] ? p.micro.flat().reduce((t, i) => t + prepared[i].length, 0) : 0),
      0,
    );

    // The bare side: runners per shape on one state, every step's feeds built up front.
    const initial = Object.fromEntries([...setup.initialWeights].map(([n, t]) => [n, t.data as Float32Array]));
    const state = TrainState.for(makeSpec(1, 8).trainable);
    state.setParams(initial);
    const start = state.snapshot();
    const runners = new Map<string, TrainRunner>();
    const buildRunners = async () => {
      await Promise.all([...runners.values()].map((x) => x.release()));
      for (const key of seen) {
        const [b, s] = key.split('x').map(Number);
        runners.set(key, await TrainRunner.create(makeSpec(b, s), { ...session, accumulation: 1, state }));
      }
    };
    await buildRunners();
    const images = new ImageStore(world, config.vision.imageSize);
    // Host cost of a step's feeds (collate, image read + decode + preprocess, vlmBatch): with each
    // image decoded for the first time (as in a one-epoch stage) and again from the cache.
    const buildAll = async (): Promise<{ feeds: Record<string, HostTensor>[][]; ms: number[] }> => {
      const feeds: Record<string, HostTensor>[][] = [];
      const ms: number[] = [];
      for (const p of plan) {
        const t0 = performance.now();
        const micro: Record<string, HostTensor>[] = [];
        for (const rows of p.micro) {
          const rowsOf = rows.map((i) => prepared[i]);
          const b = await buildMicroBatch(rowsOf, p.batch, p.seq, config, base.tokenizer.padId, images);
          // The dropout seed is a per-step input of the graph (any value times the same).
          micro.push({ ...b.feeds, ...dropoutSeedFeed(feeds.length * training.accumulation + micro.length) });
        }
        ms.push(performance.now() - t0);
        feeds.push(micro);
      }
      return { feeds, ms };
    };
    const cold = await buildAll();
    const warm = await buildAll();
    const bareFeeds = cold.feeds;
    // `fresh`: runners built again first (outside the timing), so that their first runs after the
    // first of each shape are as cold as the stage's own new sessions.
    const bare = async (fresh = false): Promise<number> => {
      if (fresh) await buildRunners();
      state.restore(start);
      const times: number[] = [];
      const steadyTimes: number[] = [];
      for (let k = 0; k < plan.length; k++) {
        const p = plan[k];
        const runner = runners.get(`${p.batch}x${p.seq}`)!;
        const rates = schedule.rateAt(k + 1);
        const own = Object.fromEntries(runner.groups.map((g) => [g, rates[g] ?? rates.default]));
        const t0 = performance.now();
        await runner.stepAccumulated(bareFeeds[k], own);
        const t = performance.now() - t0;
        times.push(t);
        if (steady[k]) steadyTimes.push(t);
      }
      if (process.argv.includes('--verbose'))
        console.error(`bare${fresh ? ' (fresh)' : ''} step ms: ${times.map((t) => t.toFixed(0)).join(' ')}`);
      // A typical step (the median: other jobs' bursts hit a few steps hard) times the step count.
      return median(steadyTimes) * steadyCount;
    };
    const stage = async (): Promise<{ steadyMs: number; setupMs: number }> => {
      const intervals: number[] = [];
      let last = performance.now();
      await trainStage({
        stage: task,
        config,
        buckets,
        padId: base.tokenizer.padId,
        // Each round decodes its images, as a one-epoch stage does; --warm-images reuses the decodes of
        // the feeds pass, leaving the loop's own host work (the images' share is feeds_ms_cold).
        images: warmImages ? images : new ImageStore(world, config.vision.imageSize),
        samples: prepared,
        training,
        fidelity: 'coin',
        seed: stageSeed,
        trainable: setup.initialWeights,
        makeSpec,
        session,
        onStep: () => {
          const now = performance.now();
          intervals.push(now - last);
          last = now;
        },
      });
      if (process.argv.includes('--verbose'))
        console.error(`stage intervals ms: ${intervals.map((t) => t.toFixed(0)).join(' ')}`);
      const steadyMs = median(intervals.filter((_, k) => steady[k])) * steadyCount;
      return { steadyMs, setupMs: intervals.reduce((n, t, k) => n + (steady[k] ? 0 : t), 0) };
    };

    const probe = await createMatmulCeilingProbe(1024);
    await bare(); // warm the bare runners (their first runs)
    await probe.measure(2);
    const ratios: number[] = [];
    const freshRatios: number[] = [];
    const stageMs: number[] = [];
    const bareMs: number[] = [];
    const setupMs: number[] = [];
    const ceiling: number[] = [(await probe.measure(3, 0)).gflops];
    const loads: number[] = [loadavg()[0]];
    for (let r = 0; r < rounds; r++) {
      let s: { steadyMs: number; setupMs: number };
      let b: number;
      let f: number;
      if (r % 2 === 0) {
        s = await stage();
        b = await bare();
        f = await bare(true);
      } else {
        f = await bare(true);
        b = await bare();
        s = await stage();
      }
      ratios.push(s.steadyMs / b);
      freshRatios.push(s.steadyMs / f);
      stageMs.push(s.steadyMs);
      bareMs.push(b);
      setupMs.push(s.setupMs);
      ceiling.push((await probe.measure(3, 0)).gflops);
      loads.push(loadavg()[0]);
    }
    await Promise.all([...runners.values()].map((x) => x.release()).concat(probe.release()));

    const stepMs = median(stageMs) / steadyCount;
    const ceilingGflops = median(ceiling);
    const q = quartiles(ratios);
    const row = {
      preset: PRESET,
      method: 'lora',
      tok_s: round((steadyTokens / median(stageMs)) * 1000, 0),
      step_ms: round(stepMs, 1),
      ceiling_ratio: round(steadyFlops / steadyCount / (stepMs / 1000) / 1e9 / ceilingGflops, 3),
      loop_overhead: round(median(ratios), 3),
      loop_overhead_iqr: [round(q.q1, 3), round(q.q3, 3)],
      // Against bare runners as new as the stage's: what the loop's host work alone adds.
      loop_overhead_fresh: round(median(freshRatios), 3),
      bare_step_ms: round(median(bareMs) / steadyCount, 1),
      feeds_ms_cold: round(median(cold.ms), 1),
      feeds_ms_warm: round(median(warm.ms), 1),
      ceiling_gflops: round(ceilingGflops, 0),
      load_1m: round(median(loads), 2),
      task,
      samples: prepared.length,
      steps: plan.length,
      steady_steps: steadyCount,
      shapes: [...seen],
      setup_s: round(median(setupMs) / 1000, 2),
      rounds,
      spin: !process.argv.includes('--no-spin'),
      images: warmImages ? 'warm' : 'cold',
      base: source,
    };
    if (json) console.log(JSON.stringify(row));
    else {
      console.log(`stage: ${new Date().toISOString()}, node ${process.version}, base ${source}`);
      for (const [k, v] of Object.entries(row)) console.log(`  ${k.padEnd(18)} ${JSON.stringify(v)}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
