import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { attr, type DType, GraphBuilder, numel, serializeModel, tensor, type Value } from '@coin/onnx';
import { createSession, type HostTensor } from '@coin/runtime';
import { gradients } from './backward.js';
import { geluErf, silu } from './composites/activations.js';
import { attention, splitHeads } from './composites/attention.js';
import { crossEntropy } from './composites/cross-entropy.js';
import { layerNorm, rmsNorm } from './composites/norms.js';
import { applyRotary, rotaryTables } from './composites/rotary.js';
import { PRIMITIVES } from './registry.js';
import { Rng, uniformValues as uniform } from '@coin/core';

/**
 * One table for every primitive and composite: build f(params) in a graph, append the symbolic
 * gradient of loss = Σ f(params) ⊙ R (R fixed random), run it in ONNX Runtime, and compare with
 * central differences of the same ORT session. float64 where ORT has kernels; float32 with a
 * looser stated tolerance where it does not (Erf).
 */
interface Case {
  readonly name: string;
  readonly dtype?: DType; // default float64
  readonly params: Readonly<Record<string, readonly number[]>>;
  /** Range of the random parameter values (positive for Log, Sqrt, Div denominators). */
  readonly range?: readonly [number, number];
  readonly build: (b: GraphBuilder, p: Record<string, Value>) => Value;
}

const ids = (b: GraphBuilder, dims: number[], values: number[]) => b.constant(tensor('int64', dims, values), 'ids');
const mask = (b: GraphBuilder, dims: number[], values: number[]) => b.constant(tensor('bool', dims, values), 'mask');

const CASES: Case[] = [
  { name: 'Add with broadcasting', params: { a: [2, 3, 4], c: [3, 1] }, build: (b, p) => b.op('Add', [p.a, p.c]) },
  { name: 'Sub with broadcasting', params: { a: [4], c: [2, 3, 4] }, build: (b, p) => b.op('Sub', [p.a, p.c]) },
  { name: 'Mul with broadcasting', params: { a: [2, 1, 4], c: [3, 1] }, build: (b, p) => b.op('Mul', [p.a, p.c]) },
  { name: 'Div', params: { a: [2, 3], c: [3] }, range: [0.5, 1.5], build: (b, p) => b.op('Div', [p.a, p.c]) },
  { name: 'Neg, Exp', params: { a: [2, 3] }, build: (b, p) => b.op('Exp', [b.op('Neg', [p.a])]) },
  {
    name: 'Log, Sqrt',
    params: { a: [2, 3] },
    range: [0.5, 2],
    build: (b, p) => b.op('Add', [b.op('Log', [p.a]), b.op('Sqrt', [p.a])]),
  },
  {
    name: 'Pow with trainable exponent',
    params: { a: [2, 3], e: [3] },
    range: [0.5, 2],
    build: (b, p) => b.op('Pow', [p.a, p.e]),
  },
  {
    name: 'Tanh, Sigmoid',
    params: { a: [2, 3] },
    build: (b, p) => b.op('Mul', [b.op('Tanh', [p.a]), b.op('Sigmoid', [p.a])]),
  },
  { name: 'Relu', params: { a: [8] }, build: (b, p) => b.op('Relu', [p.a]) },
  { name: 'Erf (float32)', dtype: 'float32', params: { a: [2, 3] }, build: (b, p) => b.op('Erf', [p.a]) },
  {
    name: 'Identity, Cast float32→float64',
    dtype: 'float32',
    params: { a: [3] },
    build: (b, p) => b.op('Cast', [b.op('Identity', [p.a])], { to: attr.int(11) }),
  },
  {
    name: 'MatMul, 2-D weight under batched input',
    params: { x: [2, 3, 4], w: [4, 5] },
    build: (b, p) => b.op('MatMul', [p.x, p.w]),
  },
  { name: 'MatMul, batched both', params: { x: [2, 3, 4], w: [2, 4, 2] }, build: (b, p) => b.op('MatMul', [p.x, p.w]) },
  {
    name: 'MatMul, broadcast batch',
    params: { x: [2, 2, 3, 4], w: [2, 1, 4, 2] },
    build: (b, p) => b.op('MatMul', [p.x, p.w]),
  },
  ...[0, 1].flatMap((ta) =>
    [0, 1].map<Case>((tb) => ({
      name: `Gemm transA=${ta} transB=${tb} with bias`,
      params: { a: ta ? [4, 3] : [3, 4], w: tb ? [5, 4] : [4, 5], c: [5] },
      build: (b, p) =>
        b.op('Gemm', [p.a, p.w, p.c], {
          alpha: attr.float(0.7),
          beta: attr.float(1.3),
          transA: attr.int(ta),
          transB: attr.int(tb),
        }),
    })),
  ),
  {
    name: 'ReduceSum keepdims=0',
    params: { a: [2, 3, 4] },
    build: (b, p) => b.op('ReduceSum', [p.a, b.i64([0, 2])], { keepdims: attr.int(0) }),
  },
  { name: 'ReduceMean keepdims=1', params: { a: [2, 3, 4] }, build: (b, p) => b.op('ReduceMean', [p.a, b.i64([-1])]) },
  {
    name: 'ReduceMax',
    params: { a: [3, 4] },
    build: (b, p) => b.op('ReduceMax', [p.a, b.i64([1])], { keepdims: attr.int(0) }),
  },
  {
    name: 'Reshape, Transpose',
    params: { a: [2, 3, 4] },
    build: (b, p) => b.op('Transpose', [b.op('Reshape', [p.a, b.i64([4, 6])])], { perm: attr.ints([1, 0]) }),
  },
  { name: 'Expand', params: { a: [3, 1] }, build: (b, p) => b.op('Expand', [p.a, b.i64([2, 3, 4])]) },
  {
    name: 'Concat',
    params: { a: [2, 3], c: [2, 2] },
    build: (b, p) => b.op('Concat', [p.a, p.c], { axis: attr.int(1) }),
  },
  {
    name: 'Slice',
    params: { a: [4, 5] },
    build: (b, p) => b.op('Slice', [p.a, b.i64([1, -4]), b.i64([3, 100]), b.i64([0, 1])]),
  },
  {
    name: 'Split with one piece unused',
    params: { a: [2, 6] },
    build: (b, p) => {
      const [x, , z] = b.opN('Split', [p.a, b.i64([1, 2, 3])], 3, { axis: attr.int(1) });
      return b.op('Mul', [b.op('ReduceSum', [x, b.i64([1])]), z]);
    },
  },
  {
    name: 'Unsqueeze, Squeeze',
    params: { a: [3, 1, 2] },
    build: (b, p) => b.op('Unsqueeze', [b.op('Squeeze', [p.a, b.i64([1])]), b.i64([0])]),
  },
  {
    name: 'Gather (embedding with repeated ids)',
    params: { e: [5, 3] },
    build: (b, p) => b.op('Gather', [p.e, ids(b, [2, 3], [1, 4, 1, 0, 1, -1])]),
  },
  {
    name: 'GatherElements',
    params: { a: [3, 4] },
    build: (b, p) => b.op('GatherElements', [p.a, ids(b, [3, 2], [0, 3, 3, 3, 1, 2])], { axis: attr.int(1) }),
  },
  {
    name: 'Where',
    params: { a: [2, 3], c: [3] },
    build: (b, p) => b.op('Where', [mask(b, [2, 3], [1, 0, 1, 0, 0, 1]), p.a, p.c]),
  },
  { name: 'Softmax', params: { a: [2, 5] }, build: (b, p) => b.op('Softmax', [p.a], { axis: attr.int(-1) }) },
  { name: 'LogSoftmax', params: { a: [2, 5] }, build: (b, p) => b.op('LogSoftmax', [p.a], { axis: attr.int(-1) }) },
  {
    name: 'fan-out: x used three times',
    params: { a: [3] },
    build: (b, p) => b.op('Mul', [b.op('Mul', [p.a, p.a]), b.op('Exp', [p.a])]),
  },
  { name: 'LayerNorm', params: { x: [2, 3, 6], g: [6], s: [6] }, build: (b, p) => layerNorm(b, p.x, p.g, p.s) },
  { name: 'RMSNorm', params: { x: [2, 3, 6], g: [6] }, build: (b, p) => rmsNorm(b, p.x, p.g) },
  {
    name: 'GELU erf form (float32)',
    dtype: 'float32',
    params: { x: [2, 5] },
    range: [-3, 3],
    build: (b, p) => geluErf(b, p.x),
  },
  { name: 'SiLU', params: { x: [2, 5] }, range: [-3, 3], build: (b, p) => silu(b, p.x) },
  {
    name: 'SwiGLU MLP, as the decoder builds it: down(silu(x·W_gate) ⊙ (x·W_up))',
    params: { x: [2, 3, 4], g: [4, 6], u: [4, 6], d: [6, 4] },
    build: (b, p) => {
      const gate = silu(b, b.op('MatMul', [p.x, p.g])); // [B, T, F]
      const up = b.op('MatMul', [p.x, p.u]); // [B, T, F]
      return b.op('MatMul', [b.op('Mul', [gate, up]), p.d]); // [B, T, C]
    },
  },
  {
    name: 'causal multi-head attention with padding mask',
    params: { x: [2, 3, 4], wq: [4, 4], wk: [4, 4], wv: [4, 4] },
    build: (b, p) => {
      const [q, k, v] = [p.wq, p.wk, p.wv].map((w) => splitHeads(b, b.op('MatMul', [p.x, w]), 2)); // [B, H, T, D]
      const pad = ids(b, [2, 3], [1, 1, 1, 1, 1, 0]);
      return attention(b, q, k, v, { causal: true, keyPadding: pad });
    },
  },
  {
    name: 'attention of one query over padded keys, queries pre-scaled (scale 1)',
    params: { q: [2, 2, 1, 3], k: [2, 2, 4, 3], v: [2, 2, 4, 3] },
    build: (b, p) =>
      attention(b, p.q, p.k, p.v, { causal: false, keyPadding: ids(b, [2, 4], [0, 1, 1, 1, 1, 1, 1, 1]), scale: 1 }),
  },
  {
    name: 'rotary embeddings',
    params: { x: [1, 2, 3, 4] },
    build: (b, p) => {
      return applyRotary(b, p.x, rotaryTables(b, 3, 4, 'float64'));
    },
  },
  {
    name: 'cross-entropy with ignore index -100',
    params: { logits: [4, 5] },
    range: [-2, 2],
    build: (b, p) => crossEntropy(b, p.logits, ids(b, [4], [3, -100, 0, 4])),
  },
];

function toHost(dtype: DType, dims: readonly number[], values: number[]): HostTensor {
  const t = tensor(dtype, dims, values);
  return { dtype: t.dtype, dims: t.dims, data: t.data } as HostTensor;
}

const usedOps = new Set<string>();

for (const c of CASES) {
  test(`gradient: ${c.name}`, async () => {
    const dtype = c.dtype ?? 'float64';
    const rng = new Rng(c.name.length * 7919 + 17);
    const b = new GraphBuilder('gradcheck');
    const params: Record<string, Value> = {};
    for (const [name, dims] of Object.entries(c.params)) params[name] = b.input(name, dtype, dims);
    const out = c.build(b, params);
    for (const n of b.nodeList) usedOps.add(n.opType);
    const outDims = out.shape as number[];
    const r = b.constant(tensor(out.dtype, outDims, uniform(rng, numel(outDims))), 'r');
    const loss = b.op('ReduceSum', [b.op('Mul', [out, r])], { keepdims: attr.int(0) });
    b.output(loss, 'loss');
    const grads = gradients(b, loss, Object.values(params));
    for (const [name, g] of grads) b.output(g, `grad_${name}`);
    const session = await createSession(serializeModel(b.model()), { threads: 1 });

    const [lo, hi] = c.range ?? [-1, 1];
    const values: Record<string, number[]> = {};
    for (const [name, dims] of Object.entries(c.params)) values[name] = uniform(rng, numel(dims), lo, hi);
    const feeds = () =>
      Object.fromEntries(Object.entries(c.params).map(([n, dims]) => [n, toHost(dtype, dims, values[n])]));
    const analytic = await session.run(feeds());
    const lossAt = async () => Number((await session.run(feeds(), { fetch: ['loss'] })).loss.data[0]);

    const eps = dtype === 'float64' ? 1e-6 : 1e-2;
    const [rtol, atol] = dtype === 'float64' ? [1e-6, 1e-8] : [2e-2, 2e-3];
    for (const name of Object.keys(c.params)) {
      const g = analytic[`grad_${name}`];
      assert.deepEqual([...g.dims], [...c.params[name]], `grad_${name} shape`);
      for (let i = 0; i < values[name].length; i++) {
        const x0 = values[name][i];
        values[name][i] = x0 + eps;
        const up = await lossAt();
        values[name][i] = x0 - eps;
        const down = await lossAt();
        values[name][i] = x0;
        const numeric = (up - down) / (2 * eps);
        const got = Number(g.data[i]);
        assert.ok(
          Math.abs(got - numeric) <= atol + rtol * Math.abs(numeric),
          `d loss / d ${name}[${i}]: symbolic ${got}, numeric ${numeric}`,
        );
      }
    }
    await session.release();
  });
}

test('every registered primitive is exercised by the gradient table', { skip: false }, () => {
  const missing = PRIMITIVES.map((p) => p.opType).filter((op) => !usedOps.has(op));
  assert.deepEqual(missing, []);
});
