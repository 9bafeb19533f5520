import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { gradients } from '@coin/autodiff';
import { Rng, uniformValues as uniform } from '@coin/core';
import { GraphBuilder, numel, serializeModel, type TensorData, tensor, type Value } from '@coin/onnx';
import { createSession, type HostTensor } from '@coin/runtime';
import { distillationLoss } from './distillation.js';
import { type EwcAnchor, ewcPenalty } from './ewc-penalty.js';
import { orthogonalityPenalty } from './orthogonality.js';

/**
 * Every method penalty checked the way libs/autodiff checks its ops: built in float64 on tiny
 * shapes, its symbolic gradient run in ONNX Runtime and compared with central differences of the
 * same session; then the values that must vanish do (θ = θ*, orthogonal A's, teacher = student).
 */
interface Case {
  readonly name: string;
  readonly params: Readonly<Record<string, readonly number[]>>;
  /** Batch inputs fed as given (the teacher's logits, the labels). */
  readonly inputs?: Readonly<Record<string, HostTensor>>;
  readonly build: (b: GraphBuilder, p: ReadonlyMap<string, Value>) => Value | undefined;
}

const f64 = (dims: readonly number[], values: ArrayLike<number>): HostTensor => ({
  dtype: 'float64',
  dims,
  data: Float64Array.from(values),
});
const data = (dims: number[], values: ArrayLike<number>): TensorData =>
  tensor('float32', dims, Float32Array.from(values));
const rng = new Rng(2026);

// EWC: two anchored parameters and one new one that must stay free.
// θ* exactly representable in float32, as the host stores it.
const f32 = (values: number[]) => Array.from(Float32Array.from(values));
const EWC_THETA = { a: f32(uniform(rng, 6)), c: f32(uniform(rng, 4)) };
const ewcAnchors = new Map<string, EwcAnchor>([
  ['a', { fisher: data([2, 3], uniform(rng, 6, 0.1, 2)), theta: data([2, 3], EWC_THETA.a) }],
  ['c', { fisher: data([4], uniform(rng, 4, 0.1, 2)), theta: data([4], EWC_THETA.c) }],
]);
const EWC_LAMBDA = 3;

// LwF: logits [2, 4, 5], labels with prompt positions ignored and one sample without an answer.
const LABELS: HostTensor = {
  dtype: 'int64',
  dims: [2, 4],
  data: BigInt64Array.from([-100n, -100n, 3n, 1n, -100n, -100n, -100n, -100n]),
};
const TEACHER = uniform(rng, 40, -2, 2);
const distill = (temperature: number) => (b: GraphBuilder, p: ReadonlyMap<string, Value>) =>
  distillationLoss(
    b,
    p.get('s')!,
    b.input('teacher', 'float64', [2, 4, 5]),
    b.input('labels', 'int64', [2, 4]),
    temperature,
  );

// O-LoRA: two earlier adapters of ranks 2 and 1 on a module of width 5, a new A of rank 3.
const earlierA = new Map([['A', [data([5, 2], uniform(rng, 10)), data([5, 1], uniform(rng, 5))]]]);

const CASES: Case[] = [
  {
    name: 'ewc: λ/2 · Σ F (θ − θ*)²',
    params: { a: [2, 3], c: [4], fresh: [3] },
    build: (b, p) => ewcPenalty(b, p, ewcAnchors, EWC_LAMBDA),
  },
  ...[1, 2].map<Case>((t) => ({
    name: `lwf: KL(teacher ‖ student) · T² on answer positions, T = ${t}`,
    params: { s: [2, 4, 5] },
    inputs: { teacher: f64([2, 4, 5], TEACHER), labels: LABELS },
    build: distill(t),
  })),
  {
    name: 'olora: λ · Σ ‖A_earlierᵀ A_new‖²_F',
    params: { A: [5, 3] },
    build: (b, p) => orthogonalityPenalty(b, p, earlierA, 0.7),
  },
];

/** A compiled penalty: its value and gradients at any parameter values. */
async function compile(c: Case) {
  const b = new GraphBuilder('penalty');
  const params = new Map(Object.entries(c.params).map(([n, dims]) => [n, b.input(n, 'float64', dims)]));
  const loss = c.build(b, params);
  assert.ok(loss, `${c.name}: no penalty built`);
  b.output(loss, 'loss');
  for (const [n, g] of gradients(b, loss, [...params.values()])) b.output(g, `grad_${n}`);
  const session = await createSession(serializeModel(b.model()), { threads: 1 });
  const feeds = (values: Record<string, number[]>) => ({
    ...c.inputs,
    ...Object.fromEntries(Object.entries(c.params).map(([n, dims]) => [n, f64(dims, values[n])])),
  });
  return {
    run: (values: Record<string, number[]>) => session.run(feeds(values)),
    loss: async (values: Record<string, number[]>) =>
      Number((await session.run(feeds(values), { fetch: ['loss'] })).loss.data[0]),
    release: () => session.release(),
  };
}

for (const c of CASES) {
  test(`penalty gradient: ${c.name}`, async () => {
    const g = await compile(c);
    const values = Object.fromEntries(
      Object.entries(c.params).map(([n, dims]) => [n, uniform(rng, numel(dims), -2, 2)]),
    );
    const analytic = await g.run(values);
    assert.ok(Math.abs(Number(analytic.loss.data[0])) > 1e-3, 'the penalty is non-zero away from its minimum');
    const eps = 1e-6;
    for (const name of Object.keys(c.params)) {
      for (let i = 0; i < values[name].length; i++) {
        const x0 = values[name][i];
        values[name][i] = x0 + eps;
        const up = await g.loss(values);
        values[name][i] = x0 - eps;
        const down = await g.loss(values);
        values[name][i] = x0;
        const numeric = (up - down) / (2 * eps);
        const got = Number(analytic[`grad_${name}`].data[i]);
        assert.ok(
          Math.abs(got - numeric) <= 1e-8 + 1e-6 * Math.abs(numeric),
          `d/d ${name}[${i}]: symbolic ${got}, numeric ${numeric}`,
        );
      }
    }
    await g.release();
  });
}

const maxAbs = (t: HostTensor) => Math.max(...Array.from(t.data as Float64Array, Math.abs));

test('ewc: zero with zero gradient at θ = θ*; a parameter without an anchor is free', async () => {
  const g = await compile(CASES[0]);
  const out = await g.run({ a: EWC_THETA.a, c: EWC_THETA.c, fresh: [5, -7, 9] });
  assert.ok(Math.abs(Number(out.loss.data[0])) < 1e-12);
  for (const n of ['a', 'c', 'fresh']) assert.ok(maxAbs(out[`grad_${n}`]) < 1e-12, `grad_${n} vanishes`);
  // Hand-computed: one coordinate off by δ adds λ/2 · F · δ².
  const shifted = [...EWC_THETA.a];
  shifted[4] += 0.5;
  const f4 = (ewcAnchors.get('a')!.fisher.data as Float32Array)[4];
  const want = (EWC_LAMBDA / 2) * f4 * 0.25;
  assert.ok(Math.abs((await g.loss({ a: shifted, c: EWC_THETA.c, fresh: [0, 0, 0] })) - want) < 1e-6 * want);
  await g.release();
});

test('ewc: nothing anchored (the first stage) builds no term', () => {
  const b = new GraphBuilder('none');
  assert.equal(ewcPenalty(b, new Map([['a', b.input('a', 'float32', [2])]]), new Map(), 1), undefined);
});

test('lwf: zero with zero gradient when the student is the teacher, at any temperature', async () => {
  for (const t of [1, 2]) {
    const g = await compile(CASES[t]);
    const out = await g.run({ s: TEACHER });
    assert.ok(Math.abs(Number(out.loss.data[0])) < 1e-12);
    assert.ok(maxAbs(out.grad_s) < 1e-12);
    await g.release();
  }
});

test('lwf: only answer positions count (a change at an ignored position changes nothing)', async () => {
  const g = await compile(CASES[1]);
  const s = uniform(rng, 40, -2, 2);
  const base = await g.loss({ s });
  // Logits at (0, 3) predict nothing (last position); (1, *) has no answer at all.
  for (const [bi, t] of [
    [0, 0],
    [0, 3],
    [1, 1],
    [1, 2],
  ]) {
    const moved = [...s];
    moved[(bi * 4 + t) * 5 + 2] += 1;
    assert.equal(await g.loss({ s: moved }), base, `position (${bi}, ${t})`);
  }
  const moved = [...s];
  moved[(0 * 4 + 1) * 5 + 2] += 1; // logits at t = 1 predict the answer token at t = 2
  assert.notEqual(await g.loss({ s: moved }), base);
  await g.release();
});

test('olora: zero with zero gradient when the new A is orthogonal to every earlier A', async () => {
  const basis = (k: number) => Array.from({ length: 5 }, (_, i) => (i === k ? 1 : 0));
  const columns = (cols: number[][]) =>
    Array.from({ length: 5 * cols.length }, (_, idx) => cols[idx % cols.length][Math.floor(idx / cols.length)]);
  const orthoEarlier = new Map([
    ['A', [data([5, 2], columns([basis(0), basis(1)])), data([5, 1], columns([basis(2)]))]],
  ]);
  const g = await compile({ ...CASES[3], build: (b, p) => orthogonalityPenalty(b, p, orthoEarlier, 0.7) });
  const newA = columns([basis(3), basis(4), [0, 0, 0, 2, -1]]);
  const out = await g.run({ A: newA });
  assert.equal(Number(out.loss.data[0]), 0);
  assert.equal(maxAbs(out.grad_A), 0);
  // One shared direction e0 with weight 3 in a new column: λ · 3² (the overlap has one entry 3).
  const shared = columns([basis(3), basis(4), [3, 0, 0, 0, 0]]);
  assert.ok(Math.abs((await g.loss({ A: shared })) - 0.7 * 9) < 1e-12);
  await g.release();
});

test('lwf: the value matches KL · T² computed on the host', async () => {
  const s = uniform(rng, 40, -2, 2);
  const logSoftmax = (x: number[]) => {
    const m = Math.max(...x);
    const z = Math.log(x.reduce((acc, v) => acc + Math.exp(v - m), 0)) + m;
    return x.map((v) => v - z);
  };
  const row = (x: number[], bi: number, t: number, temp: number) =>
    x.slice((bi * 4 + t) * 5, (bi * 4 + t) * 5 + 5).map((v) => v / temp);
  for (const temp of [1, 2]) {
    // Answer labels at (0, 2) and (0, 3): scored by the logits at (0, 1) and (0, 2).
    let sum = 0;
    for (const t of [1, 2]) {
      const lt = logSoftmax(row(TEACHER, 0, t, temp));
      const ls = logSoftmax(row(s, 0, t, temp));
      sum += lt.reduce((acc, v, k) => acc + Math.exp(v) * (v - ls[k]), 0);
    }
    const g = await compile(CASES[temp]);
    const want = (sum / 2) * temp * temp;
    assert.ok(Math.abs((await g.loss({ s })) - want) < 1e-12 * Math.max(1, want), `T = ${temp}`);
    await g.release();
  }
});
