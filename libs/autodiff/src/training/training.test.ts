import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { HostTensor } from '@coin/runtime';
import { Rng, uniformValues as uniform } from '@coin/core';
import type { TrainGraphSpec } from './assemble.js';
import { LSQ_IN, LSQ_OUT, leastSquaresBatch, leastSquaresSpec } from '../testing/least-squares.js';
import { TrainRunner } from './runner.js';

// A least-squares model: loss = mean((x·W + c − y)²) with W [4, 3], c [3].
const IN = LSQ_IN;
const OUT = LSQ_OUT;
const spec = (batch: number, optimizer: TrainGraphSpec['optimizer']): TrainGraphSpec =>
  leastSquaresSpec(
    batch,
    [
      { name: 'W', dims: [IN, OUT] },
      { name: 'c', dims: [OUT], decay: false },
    ],
    optimizer,
  );
const batchOf = leastSquaresBatch;

/** Host reference: gradient of the mean squared error and PyTorch's AdamW arithmetic, in float64. */
function referenceStep(
  W: number[],
  c: number[],
  batch: Record<string, HostTensor>,
  n: number,
  state: { m: number[]; v: number[] },
  t: number,
  lr: number,
  o: { wd: number; clip: number },
) {
  const x = batch.x.data as Float32Array;
  const y = batch.y.data as Float32Array;
  const g = new Array<number>(W.length + c.length).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < OUT; j++) {
      let pred = c[j];
      for (let k = 0; k < IN; k++) pred += x[i * IN + k] * W[k * OUT + j];
      const d = (2 * (pred - y[i * OUT + j])) / (n * OUT);
      for (let k = 0; k < IN; k++) g[k * OUT + j] += d * x[i * IN + k];
      g[W.length + j] += d;
    }
  }
  const norm = Math.sqrt(g.reduce((a, v) => a + v * v, 0));
  const coef = o.clip > 0 ? Math.min(1, o.clip / (norm + 1e-6)) : 1;
  const p = [...W, ...c];
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] * coef;
    state.m[i] = 0.9 * state.m[i] + 0.1 * gi;
    state.v[i] = 0.999 * state.v[i] + 0.001 * gi * gi;
    const decay = i < W.length ? o.wd : 0;
    const denom = Math.sqrt(state.v[i]) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
    p[i] = p[i] * (1 - lr * decay) - (lr / (1 - 0.9 ** t)) * (state.m[i] / denom);
  }
  return { W: p.slice(0, W.length), c: p.slice(W.length), norm };
}

test('AdamW with clipping and decoupled weight decay matches a float64 host reference over 5 steps', async () => {
  const rng = new Rng(3);
  const n = 8;
  const options = { wd: 0.1, clip: 0.5 };
  const runner = await TrainRunner.create(spec(n, { weightDecay: options.wd, maxGradNorm: options.clip }), {
    threads: 1,
  });
  let W = uniform(rng, IN * OUT);
  let c = uniform(rng, OUT);
  runner.setParams({ W, c });
  const state = { m: new Array<number>(IN * OUT + OUT).fill(0), v: new Array<number>(IN * OUT + OUT).fill(0) };
  for (let t = 1; t <= 5; t++) {
    const batch = batchOf(rng, n);
    const got = await runner.step(batch, 0.05);
    const want = referenceStep(W, c, batch, n, state, t, 0.05, options);
    ({ W, c } = want);
    assert.ok(
      Math.abs(got.gradNorm - want.norm) < 1e-5 * want.norm,
      `step ${t} grad norm ${got.gradNorm} vs ${want.norm}`,
    );
    const params = runner.getParams();
    for (const [name, ref] of [
      ['W', W],
      ['c', c],
    ] as const) {
      ref.forEach((v, i) =>
        assert.ok(Math.abs(params[name][i] - v) < 2e-6, `step ${t} ${name}[${i}]: ${params[name][i]} vs ${v}`),
      );
    }
  }
  assert.equal(runner.steps, 5);
  await runner.release();
});

test('gradient accumulation over micro-batches equals one step on the whole batch', async () => {
  const rng = new Rng(4);
  const whole = await TrainRunner.create(spec(8, {}), { threads: 1 });
  const micro = await TrainRunner.create(spec(4, {}), { threads: 1, accumulation: 2 });
  const init = { W: uniform(rng, IN * OUT), c: uniform(rng, OUT) };
  whole.setParams(init);
  micro.setParams(init);
  for (let s = 0; s < 3; s++) {
    const big = batchOf(rng, 8);
    const half = (k: number): Record<string, HostTensor> => ({
      x: { dtype: 'float32', dims: [4, IN], data: (big.x.data as Float32Array).slice(k * 4 * IN, (k + 1) * 4 * IN) },
      y: { dtype: 'float32', dims: [4, OUT], data: (big.y.data as Float32Array).slice(k * 4 * OUT, (k + 1) * 4 * OUT) },
    });
    const a = await whole.step(big, 0.01);
    const b = await micro.stepAccumulated([half(0), half(1)], 0.01);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-6, `loss ${a.loss} vs ${b.loss}`);
    assert.ok(Math.abs(a.gradNorm - b.gradNorm) < 1e-5, `grad norm ${a.gradNorm} vs ${b.gradNorm}`);
  }
  const [pw, pm] = [whole.getParams(), micro.getParams()];
  pw.W.forEach((v, i) => assert.ok(Math.abs(v - pm.W[i]) < 1e-6, `W[${i}]`));
  await Promise.all([whole.release(), micro.release()]);
});
