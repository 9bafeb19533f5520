import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CoinError, Rng, uniformValues as uniform } from '@coin/core';
import { attr, type GraphBuilder, type Value } from '@coin/onnx';
import type { HostTensor } from '@coin/runtime';
import type { TrainGraphSpec } from './assemble.js';
import type { ParamSpec } from './flat-layout.js';
import { TrainRunner } from './runner.js';
import { TrainState } from './train-state.js';

// Least squares, loss = mean((x·W + c − y)²), with W and c in groups of their own.
const IN = 4;
const OUT = 3;
const TRAINABLE: ParamSpec[] = [
  { name: 'W', dims: [IN, OUT], group: 'weights' },
  { name: 'c', dims: [OUT], decay: false, group: 'bias' },
];

function spec(batch: number, trainable: ParamSpec[] = TRAINABLE): TrainGraphSpec {
  return {
    name: 'lsq',
    trainable,
    optimizer: { weightDecay: 0.1 },
    forward: (b: GraphBuilder, p: ReadonlyMap<string, Value>) => {
      const x = b.input('x', 'float32', [batch, IN]);
      const y = b.input('y', 'float32', [batch, OUT]);
      const err = b.op('Sub', [b.op('Add', [b.op('MatMul', [x, p.get('W')!]), p.get('c')!]), y]);
      return b.op('ReduceMean', [b.op('Mul', [err, err])], { keepdims: attr.int(0) });
    },
  };
}

function batchOf(rng: Rng, n: number): Record<string, HostTensor> {
  return {
    x: { dtype: 'float32', dims: [n, IN], data: Float32Array.from(uniform(rng, n * IN)) },
    y: { dtype: 'float32', dims: [n, OUT], data: Float32Array.from(uniform(rng, n * OUT)) },
  };
}

const init = (seed: number) => {
  const rng = new Rng(seed);
  return { W: uniform(rng, IN * OUT), c: uniform(rng, OUT) };
};

const sameBits = (a: Float32Array, b: Float32Array, what: string) =>
  assert.deepEqual(new Uint32Array(a.buffer.slice(0)), new Uint32Array(b.buffer.slice(0)), what);

/** Trains `steps` steps alternating a batch-8 and a batch-4 runner over one shared state. */
async function trainShapes(state: TrainState, from: number, to: number) {
  const big = await TrainRunner.create(spec(8), { threads: 1, state });
  const small = await TrainRunner.create(spec(4), { threads: 1, state });
  for (let s = from; s < to; s++) {
    const rng = new Rng(100 + s);
    if (s % 2 === 0) await big.step(batchOf(rng, 8), 0.02);
    else await small.step(batchOf(rng, 4), { weights: 0.02, bias: 0.01 });
  }
  await Promise.all([big.release(), small.release()]);
}

test('runners of two batch shapes share one state; a snapshot restored into new runners continues to the bit', async () => {
  const straight = TrainState.for(TRAINABLE);
  straight.setParams(init(1));
  await trainShapes(straight, 0, 6);
  assert.equal(straight.step, 6);

  const first = TrainState.for(TRAINABLE);
  first.setParams(init(1));
  await trainShapes(first, 0, 3);
  const saved = first.snapshot();
  const resumed = TrainState.for(TRAINABLE);
  resumed.restore(saved);
  assert.equal(resumed.step, 3);
  await trainShapes(resumed, 3, 6);

  const [a, b] = [straight.snapshot(), resumed.snapshot()];
  for (const key of ['params', 'm', 'v'] as const) sameBits(a[key], b[key], key);
  assert.equal(b.step, 6);
  // The snapshot was a copy: training on did not change it.
  assert.notDeepEqual(saved.params, b.params);
});

test('a runner refuses a state of another layout, and a snapshot of the wrong size', async () => {
  const other = TrainState.for([{ name: 'W', dims: [IN, OUT] }]);
  await assert.rejects(
    TrainRunner.create(spec(4), { threads: 1, state: other }),
    (e: unknown) => e instanceof CoinError && e.code === 'TRAIN.STATE_LAYOUT_MISMATCH' && /c/.test(e.message),
  );
  const state = TrainState.for(TRAINABLE);
  assert.throws(
    () => state.restore({ params: new Float32Array(3), m: new Float32Array(15), v: new Float32Array(15), step: 1 }),
    (e: unknown) => e instanceof CoinError && e.code === 'TRAIN.BAD_SNAPSHOT',
  );
});

test('per-group rates: a group at rate 0 keeps its bits, the other moves by ≈ its rate on step 1', async () => {
  const runner = await TrainRunner.create(spec(8), { threads: 1 });
  assert.deepEqual(runner.groups, ['bias', 'weights']);
  const start = init(2);
  runner.setParams(start);
  const batch = batchOf(new Rng(5), 8);
  await runner.step(batch, { weights: 0.01, bias: 0 });
  const after = runner.getParams();
  sameBits(after.c, Float32Array.from(start.c), 'bias');
  // Adam's first step moves every element by lr·g/(|g| + eps) ≈ lr, times weight decay's (1 − lr·wd).
  after.W.forEach((w, i) => {
    const moved = Math.abs(w - Math.fround(start.W[i]) * (1 - 0.01 * 0.1));
    assert.ok(Math.abs(moved - 0.01) < 1e-5, `W[${i}] moved ${moved}`);
  });
  await runner.step(batch, { weights: 0, bias: 0.003 });
  const third = runner.getParams();
  sameBits(third.W, after.W, 'weights at rate 0');
  third.c.forEach((c, i) => assert.ok(Math.abs(c - after.c[i]) > 1e-4 && Math.abs(c - after.c[i]) < 0.003 * 1.01));

  const bad = (rates: Record<string, number> | number, code: string) =>
    assert.rejects(runner.step(batch, rates), (e: unknown) => e instanceof CoinError && e.code === code);
  await bad({ weights: 0.1, bias: 0.1, projector: 0.1 }, 'TRAIN.UNKNOWN_GROUP');
  await bad({ weights: 0.1 }, 'TRAIN.MISSING_GROUP_RATE');
  await bad(Number.NaN, 'TRAIN.BAD_RATE');
  assert.equal(runner.steps, 2, 'refused steps do not count');
  await runner.release();
});

test('gradient() matches central finite differences of the float64 loss and changes nothing', async () => {
  const runner = await TrainRunner.create(
    spec(8, [
      { name: 'W', dims: [IN, OUT] },
      { name: 'c', dims: [OUT] },
    ]),
    {
      threads: 1,
    },
  );
  const start = init(3);
  runner.setParams(start);
  const batch = batchOf(new Rng(6), 8);
  const before = runner.state.snapshot();
  const { loss, grad } = await runner.gradient(batch);
  const x = batch.x.data as Float32Array;
  const y = batch.y.data as Float32Array;
  // Layout order is by name: W (12) then c (3).
  const hostLoss = (p: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < 8; i++)
      for (let j = 0; j < OUT; j++) {
        let pred = p[IN * OUT + j];
        for (let k = 0; k < IN; k++) pred += x[i * IN + k] * p[k * OUT + j];
        sum += (pred - y[i * OUT + j]) ** 2;
      }
    return sum / (8 * OUT);
  };
  const p0 = Float64Array.from([...start.W, ...start.c].map(Math.fround));
  assert.ok(Math.abs(loss - hostLoss(p0)) < 1e-5);
  assert.equal(grad.length, IN * OUT + OUT);
  for (let i = 0; i < p0.length; i++) {
    const h = 1e-3;
    const [plus, minus] = [Float64Array.from(p0), Float64Array.from(p0)];
    plus[i] += h;
    minus[i] -= h;
    const fd = (hostLoss(plus) - hostLoss(minus)) / (2 * h);
    assert.ok(Math.abs(grad[i] - fd) < 1e-5, `grad[${i}] ${grad[i]} vs ${fd}`);
  }
  const after = runner.state.snapshot();
  for (const key of ['params', 'm', 'v'] as const) sameBits(before[key], after[key], key);
  assert.equal(after.step, 0);
  await runner.release();
});

test('the micro-batches of one step may come from runners of different shapes', async () => {
  const state = TrainState.for(TRAINABLE);
  state.setParams(init(4));
  const big = await TrainRunner.create(spec(8), { threads: 1, state, accumulation: 2 });
  const small = await TrainRunner.create(spec(4), { threads: 1, state, accumulation: 2 });
  const [b8, b4] = [batchOf(new Rng(7), 8), batchOf(new Rng(8), 4)];
  const [g8, g4] = [(await big.gradient(b8)).grad, (await small.gradient(b4)).grad];
  const mean = g8.map((g, i) => (g + g4[i]) / 2);
  const want = Math.sqrt(mean.reduce((a, g) => a + g * g, 0));
  await big.accumulate(b8);
  await small.accumulate(b4);
  assert.equal(state.pendingMicroBatches, 2);
  const refused = (e: unknown) => e instanceof CoinError && e.code === 'TRAIN.ACCUMULATION_PENDING';
  assert.throws(() => state.snapshot(), refused);
  await assert.rejects(big.step(b8, 0.01), refused);
  const { gradNorm, microBatches } = await small.applyAccumulated(0.01);
  assert.equal(microBatches, 2);
  assert.ok(Math.abs(gradNorm - want) < 1e-5 * want, `grad norm ${gradNorm} vs ${want}`);
  assert.equal(state.step, 1);
  assert.equal(state.pendingMicroBatches, 0);
  // The next step starts from a zeroed accumulator: one micro-batch gives exactly its own norm.
  await big.accumulate(b8);
  const g8now = (await big.gradient(b8)).grad;
  const { gradNorm: single } = await big.applyAccumulated(0.01);
  const wantSingle = Math.sqrt(g8now.reduce((a, g) => a + g * g, 0));
  assert.ok(Math.abs(single - wantSingle) < 1e-5 * wantSingle, `grad norm ${single} vs ${wantSingle}`);
  await assert.rejects(
    big.applyAccumulated(0.01),
    (e: unknown) => e instanceof CoinError && e.code === 'TRAIN.NOTHING_ACCUMULATED',
  );
  await Promise.all([big.release(), small.release()]);
});
