import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { TrainRunner } from '@coin/autodiff';
import { type AdapterConfig, adapterConfig } from '../network/adapters.js';
import { imageTokens } from '../network/config.js';
import { withVocabAndSeq } from '../network/presets.js';
import { initAdapter, initModel, trainableNames } from '../network/init.js';
import { PRESETS } from '../network/presets.js';
import { Rng } from '@coin/core';
import { collate } from '../prompt/collate.js';
import { IMAGE_SENTINEL_ID } from '../prompt/image-tokens.js';
import { vlmBatch } from './vlm-batch.js';
import { vlmTrainSpec } from './vlm-train.js';

// The micro VLM learns to name the colour of an image: the answer depends only on the pixels, so
// the loss can fall that far only if gradients flow through the spliced image features.
const COLOURS = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 1, 0],
];
const ANSWER0 = 10; // token id of colour 0; colours use 10..13
const config = withVocabAndSeq(PRESETS.micro, 16, 40);
const S = config.vision.imageSize;
const N = imageTokens(config.vision);
const BATCH = 8;
const SEQ = 24;

function makeBatch(rng: Rng, textOnlyEvery = 0) {
  const samples = [];
  const pixels = new Float32Array(BATCH * 3 * S * S);
  for (let b = 0; b < BATCH; b++) {
    const colour = Math.floor(rng.next() * COLOURS.length);
    const textOnly = textOnlyEvery > 0 && b % textOnlyEvery === 0;
    for (let ch = 0; ch < 3; ch++)
      pixels.fill(
        COLOURS[colour][ch] * 2 - 1 + (rng.next() - 0.5) * 0.2,
        (b * 3 + ch) * S * S,
        (b * 3 + ch + 1) * S * S,
      );
    const prompt = textOnly ? [1, 4, 5, 6] : [1, IMAGE_SENTINEL_ID, 4, 5, 6];
    const answer = textOnly ? [9, 2] : [ANSWER0 + colour, 2];
    samples.push({ inputIds: [...prompt, ...answer], labels: [...prompt.map(() => -100), ...answer] });
  }
  return vlmBatch(collate(samples, { padId: 0 }), pixels, S, N, SEQ, 0).feeds;
}

async function trainColours(adapter: AdapterConfig, steps: number, lr: number) {
  const weights = new Map([...initModel(config, 1), ...initAdapter(config.decoder, adapter, 2)]);
  const spec = vlmTrainSpec({ config, weights, adapter, batch: BATCH, seq: SEQ });
  const names = spec.trainable.map((p) => p.name);
  const runner = await TrainRunner.create(spec, { threads: 1 });
  runner.setParams(Object.fromEntries(names.map((n) => [n, weights.get(n)!.data as Float32Array])));
  const rng = new Rng(5);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push((await runner.step(makeBatch(rng, s % 2 ? 4 : 0), lr)).loss);
  await runner.release();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b) / xs.length;
  return { names, start: mean(losses.slice(0, 5)), end: mean(losses.slice(-10)) };
}

test('micro VLM, full tuning: learns an answer that only the image determines, the vision tower frozen', async () => {
  const { names, start, end } = await trainColours(adapterConfig({ kind: 'full' }), 150, 3e-3);
  assert.ok(names.includes('tok_embeddings') && names.some((n) => n.startsWith('projector.')));
  assert.ok(!names.some((n) => n.startsWith('vision.')), 'CLIP stays frozen (docs/protocol.md#model)');
  assert.ok(end < 0.1 * start && end < 0.25, `loss ${start.toFixed(3)} → ${end.toFixed(3)}`);
});

test('micro VLM, pretraining (full + trainVision): the vision tower trains too, and only there', async () => {
  const adapter = adapterConfig({ kind: 'full', trainVision: true });
  const { names, start, end } = await trainColours(adapter, 40, 3e-3);
  assert.ok(names.includes('vision.patch_embed.weight') && names.includes('tok_embeddings'));
  assert.ok(end < 0.5 * start, `loss ${start.toFixed(3)} → ${end.toFixed(3)}`);
  assert.throws(() => adapterConfig({ kind: 'lora', trainVision: true }), /only full tuning/);
});

test('full tuning without trainProjector leaves the projector frozen too', () => {
  const weights = initModel(config, 1);
  const names = trainableNames(weights, adapterConfig({ kind: 'full', trainProjector: false }));
  assert.ok(names.includes('tok_embeddings') && names.length > 0);
  assert.ok(!names.some((n) => n.startsWith('projector.') || n.startsWith('vision.')));
});

test('micro VLM, LoRA: only adapters and the projector train, and the loss falls', async () => {
  // LoRA on a random (unpretrained) decoder learns slowly; the strong check is the full-tuning test.
  const adapter = adapterConfig({
    kind: 'lora',
    rank: 8,
    alpha: 16,
    targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'],
  });
  const { names, start, end } = await trainColours(adapter, 200, 1e-2);
  assert.ok(names.some((n) => n.startsWith('projector.')) && names.some((n) => n.includes('lora_')));
  assert.ok(
    !names.some(
      (n) =>
        n.startsWith('vision.') || n === 'tok_embeddings' || (n.endsWith('.weight') && !n.startsWith('projector.')),
    ),
    'vision tower and base decoder stay frozen',
  );
  assert.ok(end < 0.85 * start, `loss ${start.toFixed(3)} → ${end.toFixed(3)}`);
});
