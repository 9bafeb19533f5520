import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { attr, GraphBuilder, serializeModel } from '@coin/onnx';
import { createSession, type HostTensor } from '@coin/runtime';
import { DROPOUT_SEED_INPUT, declareDropoutSeed, dropoutKeepMask, dropoutSeedFeed, hostKeepMask } from './dropout.js';

const DIMS = [4, 64, 96]; // [B, T, C]: 24 576 elements per mask
const COUNT = DIMS.reduce((a, d) => a * d, 1);
const P = 0.05;

/** A graph returning the keep masks (as uint8) of two modules over one x, under one seed input. */
async function maskSession(base: number, p: number) {
  const b = new GraphBuilder('masks');
  const x = b.input('x', 'float32', DIMS);
  const stream = declareDropoutSeed(b, base);
  for (const label of ['layers.0.attn.q', 'layers.0.attn.v'])
    b.output(b.op('Cast', [dropoutKeepMask(b, stream, x, p, label)], { to: attr.int(2) }), label);
  const session = await createSession(serializeModel(b.model()), { threads: 1 });
  const x0: HostTensor = { dtype: 'float32', dims: DIMS, data: new Float32Array(COUNT) };
  return {
    masks: async (seed: number) => {
      const out = await session.run({ x: x0, ...dropoutSeedFeed(seed) });
      return ['layers.0.attn.q', 'layers.0.attn.v'].map((l) => out[l].data as Uint8Array);
    },
    release: () => session.release(),
  };
}

const differing = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0) / a.length;

test('the graph draws exactly the host reference masks (int32 wrap-around and truncating Div included)', async () => {
  const s = await maskSession(7, P);
  for (const seed of [0, 1, 123_456_789, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER]) {
    const [q, v] = await s.masks(seed);
    assert.deepEqual(q, hostKeepMask(seed, 'layers.0.attn.q', 7, COUNT, P), `seed ${seed}, q`);
    assert.deepEqual(v, hostKeepMask(seed, 'layers.0.attn.v', 7, COUNT, P), `seed ${seed}, v`);
  }
  await s.release();
});

test('keep rate ≈ 1 − p over many elements and seeds, at p = 0.05 and 0.5', () => {
  for (const p of [0.05, 0.5]) {
    let kept = 0;
    const n = 40 * COUNT;
    for (let seed = 0; seed < 40; seed++) kept += hostKeepMask(seed, 'm', 0, COUNT, p).reduce((a, v) => a + v, 0);
    const sigma = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(kept / n - (1 - p)) < 4 * sigma, `p ${p}: kept ${kept / n}, σ ${sigma}`);
  }
});

test('same seed → same mask in a new session; other seeds, modules and bases → independent-looking masks', async () => {
  const first = await maskSession(7, 0.5);
  const second = await maskSession(7, 0.5);
  const otherBase = await maskSession(8, 0.5);
  const [q1, v1] = await first.masks(42);
  const [q2] = await second.masks(42);
  assert.deepEqual(q1, q2, 'same seed, new session');
  // Two independent p = 0.5 masks disagree on half the elements (σ ≈ 0.003 here).
  const near = (x: number, what: string) => assert.ok(Math.abs(x - 0.5) < 0.02, `${what}: ${x}`);
  near(differing(q1, (await first.masks(43))[0]), 'next seed');
  near(differing(q1, v1), 'other module');
  near(differing(q1, (await otherBase.masks(42))[0]), 'other base seed');
  // Neighbouring elements are not correlated (a counter hash that failed to mix would show here).
  near(differing(q1.subarray(1), q1.subarray(0, -1)), 'adjacent elements');
  await Promise.all([first.release(), second.release(), otherBase.release()]);
});

test('over many seeds, masks of neighbouring seeds, of two modules and of adjacent elements look independent', () => {
  // |disagreement − 0.5| / σ of independent p = 0.5 masks averages √(2/π) ≈ 0.80; a hash whose
  // rounds stay nearly linear in the counter scores above 10 here.
  const sigma = 0.5 / Math.sqrt(COUNT);
  const score = { seeds: 0, modules: 0, adjacent: 0 };
  const pairs = 50;
  for (let seed = 0; seed < pairs; seed++) {
    const a = hostKeepMask(seed, 'layers.1.mlp.up', 3, COUNT, 0.5);
    score.seeds += Math.abs(differing(a, hostKeepMask(seed + 1, 'layers.1.mlp.up', 3, COUNT, 0.5)) - 0.5) / sigma;
    score.modules += Math.abs(differing(a, hostKeepMask(seed, 'layers.1.mlp.gate', 3, COUNT, 0.5)) - 0.5) / sigma;
    score.adjacent += Math.abs(differing(a.subarray(1), a.subarray(0, -1)) - 0.5) / sigma;
  }
  for (const [what, total] of Object.entries(score))
    assert.ok(total / pairs > 0.5 && total / pairs < 1.15, `${what}: mean |dev| / σ = ${total / pairs}`);
});

test('dropoutSeedFeed refuses a seed that is not a non-negative safe integer', () => {
  assert.deepEqual(Object.keys(dropoutSeedFeed(3)), [DROPOUT_SEED_INPUT]);
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 60])
    assert.throws(
      () => dropoutSeedFeed(bad),
      (e: unknown) => e instanceof CoinError && e.code === 'MODEL.BAD_DROPOUT_SEED',
    );
});
