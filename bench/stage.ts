/**
 * npm run bench -- stage [--json] [--preset tiny] [--samples 96] [--reps 3] [--warm-images]
 *
 * One LoRA stage of the stage loop (libs/training `trainStage`) on CoIN-Synth's ImageNet task, and
 * the bare `TrainRunner.step` of the same (batch, seq) shapes measured in the same process.
 * Prints {preset, method, tok_s, step_ms, ceiling_ratio, loop_overhead}:
 *   step_ms        median wall time of a stage step (batch building, images, the step, logging),
 *                  leaving out each shape's first step, where its graphs are built;
 *   loop_overhead  Σ those steps' wall times ÷ Σ the bare step time of each one's shape: what the
 *                  loop adds around ORT (≤ 1.10 is the target);
 *   tok_s          real (non-padding) positions per second over the same steps;
 *   ceiling_ratio  the bare steps' achieved MatMul GFLOP/s ÷ a 1024³ float32 MatMul in ORT.
 * The base is freshly initialised (the timing does not depend on its weights) with a BPE tokenizer
 * trained on the world's conversations.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainGraph, TrainRunner } from '@coin/autodiff';
import { collect, DEFAULT_SYNTH_OPTIONS, prepareSynth, readTrainFile } from '@coin/data';
import {
  adapterConfig,
  ByteLevelBpeTokenizer,
  conversationMessages,
  initAdapter,
  initModel,
  LINEAR_TARGETS,
  PRESETS,
  renderVicunaV1,
  trainableNames,
  trainByteLevelBpe,
  withVocabAndSeq,
} from '@coin/model';
import { countMatmulFlops, type TensorData } from '@coin/onnx';
import { createMatmulCeilingProbe } from '@coin/runtime';
import {
  buildMicroBatch,
  ImageStore,
  METHODS,
  prepareSamples,
  readTaskSamples,
  stageBuckets,
  stagePlan,
  stageTrainSpec,
  trainFilePath,
  trainingDefaults,
  trainStage,
} from '@coin/training';
import { arg } from './lib/args.js';
import { median, round } from './lib/stats.js';

const preset = (arg('preset') ?? 'tiny') as 'micro' | 'tiny' | 'small';
const samplesWanted = Number(arg('samples') ?? 96);
const reps = Number(arg('reps') ?? 3);
const TASK = 'ImageNet';

const dir = await mkdtemp(join(tmpdir(), 'coin-bench-stage-'));
try {
  const data = join(dir, 'world');
  const preset0 = PRESETS[preset];
  await prepareSynth(data, {
    ...DEFAULT_SYNTH_OPTIONS,
    train: samplesWanted,
    test: 1,
    pretrain: 1,
    imageSize: preset0.vision.imageSize,
  });
  const records = await collect(readTrainFile(trainFilePath(data, 'original', TASK)));
  const corpus = records.map((r) => renderVicunaV1(conversationMessages(r.conversations, r.id), '</s>'));
  const tokenizer = new ByteLevelBpeTokenizer(trainByteLevelBpe(corpus, { vocabSize: preset0.decoder.vocab }));
  const config = withVocabAndSeq(preset0, tokenizer.vocabSize);
  const hyper = METHODS.get('lora').defaults(preset) as { rank: number; alpha: number };
  const adapter = adapterConfig({
    kind: 'lora',
    rank: hyper.rank,
    alpha: hyper.alpha,
    dropout: 0,
    targets: LINEAR_TARGETS,
  });
  const all = new Map<string, TensorData>([...initModel(config, 1), ...initAdapter(config.decoder, adapter, 2)]);
  const names = new Set(trainableNames(all, adapter));
  const trainable = new Map([...all].filter(([n]) => names.has(n)));
  const frozen = new Map([...all].filter(([n]) => !names.has(n)));
  const training = trainingDefaults(preset);
  const graph = { config, adapter, trainable, frozen, weightDecay: 0, maxGradNorm: 1 };
  const makeSpec = (b: number, s: number) => stageTrainSpec(graph, b, s);
  const images = new ImageStore(data, config.vision.imageSize);
  const buckets = stageBuckets(preset, training.batchSize, config.decoder.maxSeq);
  const { prepared } = prepareSamples(
    await readTaskSamples(data, 'original', TASK),
    tokenizer,
    config,
    Math.max(...buckets.map((b) => b.seq)),
  );
  const seed = 5;
  const plan = stagePlan({ samples: prepared, training, seed, stage: TASK, buckets });

  // --warm-images: every image decoded before the stage, as a second epoch finds them.
  if (process.argv.includes('--warm-images'))
    for (const p of prepared) if (p.sample.record.image) await images.pixels(p.sample.record.image);
  // The stage, timed step by step.
  const stepMs: number[] = [];
  let last = performance.now();
  await trainStage({
    stage: TASK,
    config,
    padId: tokenizer.padId,
    images,
    samples: prepared,
    buckets,
    training,
    fidelity: 'coin',
    seed,
    trainable,
    makeSpec,
    session: {},
    onStep: () => {
      const now = performance.now();
      stepMs.push(now - last);
      last = now;
    },
  });
  const seen = new Set<string>();
  const steady = plan
    .map((p, k) => ({ p, ms: stepMs[k], shape: `${p.batch}x${p.seq}` }))
    .filter((x) => (seen.has(x.shape) ? true : (seen.add(x.shape), false)));

  // The bare step of every shape, on a real batch of that shape.
  const bare = new Map<string, number>();
  const probe = await createMatmulCeilingProbe(1024);
  const ratios: number[] = [];
  for (const shape of new Set(steady.map((x) => x.shape))) {
    const p = plan.find((q) => `${q.batch}x${q.seq}` === shape)!;
    const spec = makeSpec(p.batch, p.seq);
    const runner = await TrainRunner.create(spec);
    runner.setParams(Object.fromEntries([...trainable].map(([n, t]) => [n, t.data as Float32Array])));
    const rows = p.micro[0].map((i) => prepared[i]);
    const batch = await buildMicroBatch(rows, p.batch, p.seq, config, tokenizer.padId, images);
    await runner.step(batch.feeds, 1e-4);
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await runner.step(batch.feeds, 1e-4);
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    bare.set(shape, ms);
    const flops = countMatmulFlops(buildTrainGraph(spec, 'step').model.graph);
    ratios.push(flops / (ms / 1000) / 1e9 / (await probe.measure(3, 0)).gflops);
    await runner.release();
  }
  await probe.release();

  const loopMs = steady.reduce((a, x) => a + x.ms, 0);
  const bareMs = steady.reduce((a, x) => a + bare.get(x.shape)!, 0);
  const tokens = steady.reduce((a, x) => a + x.p.micro.flat().reduce((n, i) => n + prepared[i].length, 0), 0);
  const row = {
    preset,
    method: 'lora',
    tok_s: round(tokens / (loopMs / 1000), 0),
    step_ms: round(median(steady.map((x) => x.ms)), 1),
    ceiling_ratio: round(median(ratios), 3),
    loop_overhead: round(loopMs / bareMs, 3),
  };
  if (process.argv.includes('--json')) console.log(JSON.stringify(row));
  else
    console.log(
      `${preset} lora: ${plan.length} steps (${steady.length} timed, shapes ${[...bare.keys()].join(', ')}), ` +
        `${row.step_ms} ms/step, ${row.tok_s} tok/s, ceiling_ratio ${row.ceiling_ratio}, loop_overhead ${row.loop_overhead}`,
    );
} finally {
  await rm(dir, { recursive: true, force: true });
}
