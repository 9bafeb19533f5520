import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { type TrainGraphSpec, TrainRunner, type TrainSnapshot, TrainState } from '@coin/autodiff';
import { Rng } from '@coin/core';
import type { HostTensor } from '@coin/runtime';
import { adapterConfig } from '../network/adapters.js';
import { imageTokens } from '../network/config.js';
import { dropoutSeedFeed } from '../network/dropout.js';
import { initAdapter, initModel } from '../network/init.js';
import { PROJECTOR_GROUP } from '../network/lm-train.js';
import { PRESETS, withVocabAndSeq } from '../network/presets.js';
import { collate } from '../prompt/collate.js';
import { IMAGE_SENTINEL_ID } from '../prompt/image-tokens.js';
import { vlmBatch } from './vlm-batch.js';
import { vlmTrainSpec } from './vlm-train.js';

// A stage killed after K optimizer steps and resumed from a snapshot in brand-new runners (new ORT
// sessions) must end bit-identical to the uninterrupted stage: LoRA with dropout 0.05, two
// micro-batches per step, two (batch, seq) buckets sharing one TrainState, per-group rates.
const config = withVocabAndSeq(PRESETS.micro, 16, 40);
const S = config.vision.imageSize;
const IMAGE = imageTokens(config.vision);
const SHAPES = [
  { batch: 4, seq: 24 },
  { batch: 2, seq: 32 },
] as const;
const STEPS = 6;
const KILL_AT = 3;
const adapter = adapterConfig({ kind: 'lora', rank: 4, alpha: 8, dropout: 0.05, targets: ['q', 'v', 'up'] });
const weights = new Map([...initModel(config, 1), ...initAdapter(config.decoder, adapter, 2)]);
const specs: TrainGraphSpec[] = SHAPES.map((s) => vlmTrainSpec({ config, weights, adapter, ...s, dropoutSeed: 9 }));

/** The micro-batch `micro` of step `step`: a pure function of both, as a seeded loader's would be. */
function microBatch(step: number, micro: number, seedShift: number): Record<string, HostTensor> {
  const { batch, seq } = SHAPES[step % 2];
  const rng = new Rng(1000 + step * 2 + micro);
  const samples = [];
  const pixels = new Float32Array(batch * 3 * S * S).map(() => rng.next() * 2 - 1);
  for (let b = 0; b < batch; b++) {
    const len = 2 + Math.floor(rng.next() * 5); // 1 + 16 image tokens + ≤ 6 fits seq 24
    const ids = Array.from({ length: len }, () => 3 + Math.floor(rng.next() * 13));
    samples.push({ inputIds: [1, IMAGE_SENTINEL_ID, ...ids], labels: [-100, -100, ...ids] });
  }
  const feeds = vlmBatch(collate(samples, { padId: 0 }), pixels, S, IMAGE, seq, 0).feeds;
  return { ...feeds, ...dropoutSeedFeed(step * 2 + micro + seedShift) };
}

/** Runs steps [from, to) in new runners over `state`; `seedShift` perturbs the dropout seeds. */
async function train(state: TrainState, from: number, to: number, seedShift = 0): Promise<void> {
  const runners = await Promise.all(specs.map((s) => TrainRunner.create(s, { threads: 1, accumulation: 2, state })));
  for (let step = from; step < to; step++) {
    const micro = [0, 1].map((m) => microBatch(step, m, seedShift));
    await runners[step % 2].stepAccumulated(micro, { default: 2e-2, [PROJECTOR_GROUP]: 5e-3 });
  }
  await Promise.all(runners.map((r) => r.release()));
}

function freshState(): TrainState {
  const state = TrainState.for(specs[0].trainable);
  state.setParams(
    Object.fromEntries(specs[0].trainable.map((p) => [p.name, weights.get(p.name)!.data as Float32Array])),
  );
  return state;
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

function assertBitIdentical(a: TrainSnapshot, b: TrainSnapshot): void {
  assert.equal(a.step, b.step);
  for (const key of ['params', 'm', 'v'] as const) {
    const [x, y] = [bits(a[key]), bits(b[key])];
    const first = x.findIndex((v, i) => v !== y[i]);
    assert.equal(first, -1, `${key}[${first}] differs: ${a[key][first]} vs ${b[key][first]}`);
  }
}

test('a stage snapshot at step K, restored into new runners, ends bit-identical to the uninterrupted stage', async () => {
  const straight = freshState();
  await train(straight, 0, STEPS);

  const killed = freshState();
  await train(killed, 0, KILL_AT);
  const saved = killed.snapshot();
  const resumed = TrainState.for(specs[1].trainable);
  resumed.restore(saved);
  await train(resumed, KILL_AT, STEPS);
  assertBitIdentical(straight.snapshot(), resumed.snapshot());
  assert.equal(resumed.step, STEPS);

  // The proof is not vacuous: other dropout seeds after the resume give other weights.
  const reseeded = TrainState.for(specs[0].trainable);
  reseeded.restore(saved);
  await train(reseeded, KILL_AT, STEPS, 1);
  assert.throws(() => assertBitIdentical(straight.snapshot(), reseeded.snapshot()));
});

test('gradient() of the micro VLM (dropout on) is the gradient the step graph measures, and changes nothing', async () => {
  const state = freshState();
  const runner = await TrainRunner.create(specs[0], { threads: 1, state });
  const batch = microBatch(0, 0, 0);
  const before = state.snapshot();
  const { loss, grad } = await runner.gradient(batch);
  assertBitIdentical(before, state.snapshot());
  const norm = Math.sqrt(grad.reduce((a, g) => a + g * g, 0));
  const step = await runner.step(batch, 1e-3);
  assert.ok(Math.abs(step.loss - loss) <= 1e-6 * loss, `loss ${step.loss} vs ${loss}`);
  assert.ok(Math.abs(step.gradNorm - norm) <= 1e-4 * norm, `grad norm ${step.gradNorm} vs ${norm}`);
  // Both groups receive gradient: LoRA B starts at zero, so A's gradient is zero on step 1, but B's is not.
  const entry = (name: string) => state.layout.byName.get(name)!;
  const nonzero = (name: string) =>
    grad.subarray(entry(name).offset, entry(name).offset + entry(name).size).some((g) => g !== 0);
  assert.ok(nonzero('layers.0.attn.q.lora_B') && nonzero('projector.0.weight'));
  await runner.release();
});
