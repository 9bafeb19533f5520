import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { TrainRunner } from '@coin/autodiff';
import { tensor, type TensorData } from '@coin/onnx';
import { adapterConfig } from './adapters.js';
import { decoderConfig } from './config.js';
import { initAdapter, initDecoder } from './init.js';
import { lmTrainSpec } from './lm-train.js';
import { Rng } from '@coin/core';
import { toyBatch, type ToyTask } from '../testing/toy-tasks.js';

// The engine end to end on tasks with a known optimum: full fine-tuning from random init learns
// to copy; LoRA on q,v of the frozen copy model then learns a task the base gets wrong: answering
// each symbol's successor.
const N = 6; // symbols per sequence
const VOCAB = 16;
const BATCH = 16;
const cfg = decoderConfig({ vocab: VOCAB, dim: 32, layers: 2, heads: 2, maxSeq: 2 * N + 1 });

async function train(runner: TrainRunner, task: ToyTask, steps: number, lr: number, seed: number) {
  const rng = new Rng(seed);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const warm = Math.min(1, (s + 1) / 20);
    losses.push((await runner.step(toyBatch(task, rng, BATCH, N, VOCAB), lr * warm)).loss);
  }
  return losses;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
let copyModel: Map<string, TensorData> | undefined;

test('full fine-tuning from random init learns the copy task (loss ln V → < 0.1)', async () => {
  const base = initDecoder(cfg, 1);
  const runner = await TrainRunner.create(
    lmTrainSpec({ cfg, weights: base, adapter: adapterConfig({ kind: 'full' }), batch: BATCH, seq: 2 * N + 1 }),
    { threads: 1 },
  );
  runner.setParams(Object.fromEntries([...base].map(([n, t]) => [n, t.data as Float32Array])));
  const losses = await train(runner, 'copy', 600, 3e-3, 11);
  const start = mean(losses.slice(0, 5));
  const end = mean(losses.slice(-10));
  assert.ok(Math.abs(start - Math.log(VOCAB - 2)) < 0.3, `initial loss ${start} ≈ ln(${VOCAB - 2})`);
  assert.ok(end < 0.1, `final copy loss ${end}`);
  copyModel = new Map([...base].map(([n]) => [n, tensor('float32', base.get(n)!.dims, runner.getParams()[n])]));
  await runner.release();
});

test('LoRA on q,v of the frozen copy model learns the successor task', async () => {
  assert.ok(copyModel, 'needs the copy-trained base from the previous test');
  const adapter = adapterConfig({ kind: 'lora', rank: 8, alpha: 16, targets: ['q', 'v'] });
  const weights = new Map([...copyModel, ...initAdapter(cfg, adapter, 2)]);
  const spec = lmTrainSpec({ cfg, weights, adapter, batch: BATCH, seq: 2 * N + 1 });
  assert.ok(
    spec.trainable.every((p) => p.name.includes('.lora_')),
    'only adapter weights train',
  );
  const runner = await TrainRunner.create(spec, { threads: 1 });
  runner.setParams(Object.fromEntries(spec.trainable.map((p) => [p.name, weights.get(p.name)!.data as Float32Array])));
  const losses = await train(runner, 'successor', 300, 3e-3, 12);
  const start = mean(losses.slice(0, 5));
  const end = mean(losses.slice(-10));
  assert.ok(start > 3, `the copy model answers the copy, not the successor, at first (loss ${start})`);
  assert.ok(end < 0.1, `final successor loss ${end} (from ${start})`);
  await runner.release();
});
