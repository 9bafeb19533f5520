/**
 * npm run bench -- train-step [--json] [--config A|B] [--mode lora|full] [--reps N]
 *
 * One training step (forward + backward + AdamW in one ONNX graph) of a LLaMA-style decoder, for
 * config A (vocab 512, d 128, 2 layers, 4 heads, seq 64, batch 16) and B (d 256, 4 layers, seq 128,
 * batch 16), each with LoRA rank 8 on q,v and with full fine-tuning, and the coin-tiny VLM preset
 * with LoRA on every linear plus the projector (as CoIN tunes). Per case it prints the median
 * ms per step, achieved GFLOP/s (MatMul FLOPs of the emitted graph), ceiling_ratio (÷ a 1024³
 * float32 MatMul in ORT, timed in alternating rounds in the same process), peak RSS, and tfjs_ratio
 * (the same step in TensorFlow.js on its wasm backend ÷ ours). Each side runs in its own process so
 * that peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildTrainGraph, TrainRunner } from '@coin/autodiff';
import {
  adapterConfig,
  collate,
  decoderConfig,
  type DecoderConfig,
  IMAGE_SENTINEL_ID,
  imageTokens,
  initAdapter,
  initDecoder,
  initModel,
  lmTrainSpec,
  PRESETS,
  vlmBatch,
  vlmTrainSpec,
  type WeightMap,
} from '@coin/model';
import { countMatmulFlops } from '@coin/onnx';
import { createMatmulCeilingProbe, type HostTensor } from '@coin/runtime';
import { arg } from './lib/args.js';
import { median, peakRssMb, round } from './lib/stats.js';

const CONFIGS: Record<string, { cfg: DecoderConfig; batch: number; seq: number }> = {
  A: { cfg: decoderConfig({ vocab: 512, dim: 128, layers: 2, heads: 4, maxSeq: 64 }), batch: 16, seq: 64 },
  B: { cfg: decoderConfig({ vocab: 512, dim: 256, layers: 4, heads: 4, maxSeq: 128 }), batch: 16, seq: 128 },
};
const MODES = ['lora', 'full'] as const;
type Mode = (typeof MODES)[number];

function setup(configName: string, mode: Mode) {
  const { cfg, batch, seq } = CONFIGS[configName];
  const adapter =
    mode === 'lora'
      ? adapterConfig({ kind: 'lora', rank: 8, alpha: 16, targets: ['q', 'v'] })
      : adapterConfig({ kind: 'full' });
  const weights: WeightMap = new Map([...initDecoder(cfg, 1), ...initAdapter(cfg, adapter, 2)]);
  const ids = new BigInt64Array(batch * seq);
  let s = 12345;
  for (let i = 0; i < ids.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    ids[i] = BigInt(s % cfg.vocab);
  }
  return { cfg, batch, seq, adapter, weights, ids };
}

/**
 * The coin-tiny vision-language model as CoIN tunes it: LoRA r 8 on every decoder linear plus the
 * projector, vision tower frozen; batch 16 of one image (64 tokens) + 63 text positions.
 */
function setupTiny() {
  const config = PRESETS.tiny;
  const adapter = adapterConfig({
    kind: 'lora',
    rank: 8,
    alpha: 16,
    targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  });
  const weights: WeightMap = new Map([...initModel(config, 1), ...initAdapter(config.decoder, adapter, 2)]);
  const batch = 16;
  const seq = 128;
  const text = seq - imageTokens(config.vision) - 1; // BOS + image + text fill the bucket
  const samples = Array.from({ length: batch }, (_, b) => {
    const ids = [1, IMAGE_SENTINEL_ID, ...Array.from({ length: text }, (_, i) => 5 + ((b * 37 + i * 11) % 1000))];
    return { inputIds: ids, labels: ids.map((t, i) => (i < text / 2 ? -100 : t)) };
  });
  const s = config.vision.imageSize;
  const feeds = vlmBatch(
    collate(samples, { padId: 0 }),
    new Float32Array(batch * 3 * s * s).fill(0.25),
    s,
    imageTokens(config.vision),
    seq,
    0,
  ).feeds;
  return { spec: vlmTrainSpec({ config, weights, adapter, batch, seq }), weights, feeds };
}

async function measureOurs(configName: string, mode: Mode, rounds: number) {
  let spec;
  let weights: WeightMap;
  let feeds: Record<string, HostTensor>;
  if (configName === 'tiny') {
    ({ spec, weights, feeds } = setupTiny());
  } else {
    const s = setup(configName, mode);
    weights = s.weights;
    spec = lmTrainSpec({ cfg: s.cfg, weights, adapter: s.adapter, batch: s.batch, seq: s.seq });
    feeds = {
      input_ids: { dtype: 'int64', dims: [s.batch, s.seq], data: s.ids },
      labels: { dtype: 'int64', dims: [s.batch, s.seq], data: s.ids },
    };
  }
  const flops = countMatmulFlops(buildTrainGraph(spec, 'step').model.graph);
  const runner = await TrainRunner.create(spec);
  runner.setParams(Object.fromEntries(spec.trainable.map((p) => [p.name, weights.get(p.name)!.data as Float32Array])));
  const probe = await createMatmulCeilingProbe(1024);
  for (let i = 0; i < 3; i++) await runner.step(feeds, 1e-4);
  await probe.measure(2);
  const stepMs: number[] = [];
  const ceiling: number[] = [];
  const perRound = configName === 'A' ? 8 : 3;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < perRound; i++) {
      const t0 = performance.now();
      await runner.step(feeds, 1e-4);
      stepMs.push(performance.now() - t0);
    }
    ceiling.push((await probe.measure(3, 0)).gflops);
  }
  const ms = median(stepMs);
  const gflops = flops / (ms / 1000) / 1e9;
  await Promise.all([runner.release(), probe.release()]);
  return {
    ms,
    gflops,
    ceiling_gflops: median(ceiling),
    gflop_per_step: flops / 1e9,
    trainable: spec.trainable.reduce((a, p) => a + p.dims.reduce((x, y) => x * y, 1), 0),
    rss_mb: peakRssMb(),
  };
}

async function measureTfjs(configName: string, mode: Mode, reps: number) {
  const { useWasmBackend, createTfjsStep } = await import('./lib/tfjs-decoder.js');
  await useWasmBackend();
  const { cfg, batch, seq, adapter, weights, ids } = setup(configName, mode);
  const step = createTfjsStep(cfg, weights, adapter, batch, seq, 1e-4);
  step.step(ids, ids);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    step.step(ids, ids);
    times.push(performance.now() - t0);
  }
  step.dispose();
  return { ms: median(times) };
}

function runChild(side: 'ours' | 'tfjs', configName: string, mode: Mode, reps: number): Record<string, number> {
  const r = spawnSync(
    process.execPath,
    [
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      '--child',
      side,
      '--config',
      configName,
      '--mode',
      mode,
      '--reps',
      String(reps),
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${side} ${configName}/${mode} failed:\n${r.stderr}`);
  return JSON.parse(line) as Record<string, number>;
}

async function main() {
  const child = arg('child');
  const reps = Number(arg('reps') ?? 5);
  if (child) {
    const configName = arg('config')!;
    const mode = arg('mode') as Mode;
    const result =
      child === 'ours'
        ? await measureOurs(configName, mode, reps)
        : await measureTfjs(configName, mode, Math.max(2, Math.min(reps, 4)));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const json = process.argv.includes('--json');
  const configs = arg('config') ? [arg('config')!] : [...Object.keys(CONFIGS), 'tiny'];
  if (!json) {
    console.log(
      `train-step: ${new Date().toISOString()}, node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
    );
    console.log(
      'config mode  trainable  GFLOP/step  ms/step  GFLOP/s  ceiling  ceiling_ratio  tfjs_ms  tfjs_ratio  rss_mb',
    );
  }
  for (const config of configs) {
    // coin-tiny runs as CoIN tunes it (LoRA on all linears + projector); no tfjs twin of the VLM.
    const modes = config === 'tiny' ? (['lora'] as Mode[]) : arg('mode') ? [arg('mode') as Mode] : [...MODES];
    for (const mode of modes) {
      const ours = runChild('ours', config, mode, reps);
      const tfjs =
        process.argv.includes('--no-tfjs') || config === 'tiny' ? undefined : runChild('tfjs', config, mode, reps);
      const row = {
        config,
        mode,
        ms: round(ours.ms, 2),
        gflops: round(ours.gflops, 1),
        ceiling_ratio: round(ours.gflops / ours.ceiling_gflops, 3),
        tfjs_ratio: tfjs ? round(tfjs.ms / ours.ms, 1) : null,
        rss_mb: round(ours.rss_mb, 0),
      };
      if (json) console.log(JSON.stringify(row));
      else {
        console.log(
          [
            config.padEnd(6),
            mode.padEnd(5),
            String(ours.trainable).padStart(9),
            ours.gflop_per_step.toFixed(2).padStart(11),
            row.ms.toFixed(1).padStart(8),
            row.gflops.toFixed(1).padStart(8),
            ours.ceiling_gflops.toFixed(0).padStart(8),
            row.ceiling_ratio.toFixed(2).padStart(14),
            (tfjs ? tfjs.ms.toFixed(0) : '-').padStart(8),
            String(row.tfjs_ratio ?? '-').padStart(11),
            String(row.rss_mb).padStart(7),
          ].join(' '),
        );
      }
    }
  }
}

await main();
