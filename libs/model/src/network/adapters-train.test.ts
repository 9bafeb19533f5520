import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { TrainRunner } from '@coin/autodiff';
import { adapterConfig } from './adapters.js';
import { dropoutSeedFeed } from './dropout.js';
import { decoderConfig } from './config.js';
import { initAdapter, initDecoder } from './init.js';
import { lmTrainSpec } from './lm-train.js';
import { Rng } from '@coin/core';
import { toyBatch } from '../testing/toy-tasks.js';

const cfg = decoderConfig({ vocab: 16, dim: 32, layers: 1, heads: 2, maxSeq: 13 });

async function losses(kind: 'lora' | 'moelora', dropoutSeed: number | undefined, steps: number): Promise<number[]> {
  const adapter = adapterConfig({
    kind,
    rank: 8,
    alpha: 16,
    dropout: 0.1,
    experts: kind === 'moelora' ? 4 : 1,
    targets: ['q', 'v', 'up'],
  });
  const weights = new Map([...initDecoder(cfg, 1), ...initAdapter(cfg, adapter, 2)]);
  const spec = lmTrainSpec({ cfg, weights, adapter, batch: 8, seq: 13, dropoutSeed });
  const runner = await TrainRunner.create(spec, { threads: 1 });
  runner.setParams(Object.fromEntries(spec.trainable.map((p) => [p.name, weights.get(p.name)!.data as Float32Array])));
  const rng = new Rng(4);
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const seed = dropoutSeed === undefined ? {} : dropoutSeedFeed(s);
    out.push((await runner.step({ ...toyBatch('copy', rng, 8, 6, 16), ...seed }, 1e-2)).loss);
  }
  await runner.release();
  return out;
}

for (const kind of ['lora', 'moelora'] as const) {
  test(`${kind} with dropout: reproducible from the seed, different across seeds, and it learns`, async () => {
    const a = await losses(kind, 11, 40);
    const b = await losses(kind, 11, 40);
    const c = await losses(kind, 12, 40);
    assert.deepEqual(a, b, 'same seed, same losses bit for bit');
    assert.notDeepEqual(a, c, 'another base seed draws other masks');
    assert.notDeepEqual(a, await losses(kind, undefined, 40), 'dropout is on');
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y) / xs.length;
    assert.ok(mean(a.slice(-5)) < mean(a.slice(0, 5)), `loss falls: ${mean(a.slice(0, 5))} → ${mean(a.slice(-5))}`);
  });
}

test('full fine-tuning on 2 threads is reproducible bit for bit (the embedding gradient sums repeated ids in order)', async () => {
  const wide = decoderConfig({ vocab: 16, dim: 256, layers: 1, heads: 4, maxSeq: 64 });
  const run = async () => {
    const adapter = adapterConfig({ kind: 'full' });
    const weights = new Map([...initDecoder(wide, 1), ...initAdapter(wide, adapter, 2)]);
    const spec = lmTrainSpec({ cfg: wide, weights, adapter, batch: 16, seq: 63 });
    const runner = await TrainRunner.create(spec, { threads: 2 });
    runner.setParams(
      Object.fromEntries(spec.trainable.map((p) => [p.name, weights.get(p.name)!.data as Float32Array])),
    );
    const rng = new Rng(5);
    const out: number[] = [];
    for (let s = 0; s < 4; s++) out.push((await runner.step(toyBatch('copy', rng, 16, 31, 16), 1e-3)).gradNorm);
    await runner.release();
    return out;
  };
  assert.deepEqual(await run(), await run());
});

test('MoELoRA trains only experts and routers (and the projector); router and B receive gradient', async () => {
  const adapter = adapterConfig({ kind: 'moelora', rank: 8, alpha: 16, experts: 4, targets: ['q'] });
  const weights = new Map([...initDecoder(cfg, 1), ...initAdapter(cfg, adapter, 2)]);
  const spec = lmTrainSpec({ cfg, weights, adapter, batch: 8, seq: 13 });
  assert.deepEqual(spec.trainable.map((p) => p.name).sort(), [
    'layers.0.attn.q.lora_A',
    'layers.0.attn.q.lora_B',
    'layers.0.attn.q.lora_router',
  ]);
  const runner = await TrainRunner.create(spec, { threads: 1 });
  runner.setParams(Object.fromEntries(spec.trainable.map((p) => [p.name, weights.get(p.name)!.data as Float32Array])));
  await runner.step(toyBatch('copy', new Rng(1), 8, 6, 16), 1e-2);
  await runner.step(toyBatch('copy', new Rng(2), 8, 6, 16), 1e-2);
  const after = runner.getParams();
  for (const name of spec.trainable.map((p) => p.name)) {
    const before = weights.get(name)!.data as Float32Array;
    assert.ok(
      after[name].some((v, i) => v !== before[i]),
      `${name} moved`,
    );
  }
  await runner.release();
});
