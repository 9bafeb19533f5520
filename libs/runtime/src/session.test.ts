import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { attr, GraphBuilder, serializeModel } from '@coin/onnx';
import { createSession, ortSessionOptions, type RuntimeSession } from './session.js';
import { hostTensor } from './tensor.js';
import { affineModel, float64Model, gatherModel } from './testing/test-models.js';

function isCoin(code: string, re?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof CoinError, String(e));
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

/** X[N,3]·W[3,4] + B on the host, in float64 then rounded like ORT's float32 result should be close to. */
function affineReference(x: Float32Array, w: Float32Array, b: readonly number[], n: number): number[] {
  const y: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < 4; j++) {
      let s = b[j];
      for (let k = 0; k < 3; k++) s += x[i * 3 + k] * w[k * 4 + j];
      y.push(s);
    }
  return y;
}

describe('ortSessionOptions', () => {
  it('uses the options that measured fastest, threads = cores by default', () => {
    const o = ortSessionOptions();
    assert.equal(o.graphOptimizationLevel, 'all');
    assert.equal(o.intraOpNumThreads, availableParallelism());
    assert.equal(o.interOpNumThreads, 1);
    assert.equal(o.executionMode, 'sequential');
    assert.equal(o.enableCpuMemArena, true);
    assert.equal(o.enableMemPattern, true);
    assert.deepEqual(o.executionProviders, ['cpu']);
    assert.equal(ortSessionOptions({ threads: 0 }).intraOpNumThreads, availableParallelism());
    assert.equal(ortSessionOptions({ threads: 1 }).intraOpNumThreads, 1);
    assert.throws(() => ortSessionOptions({ threads: -2 }), isCoin('RUNTIME.BAD_OPTIONS'));
  });

  it('turns intra- and inter-op spinning off only when asked', () => {
    assert.equal(ortSessionOptions().extra, undefined);
    assert.equal(ortSessionOptions({ spin: true }).extra, undefined);
    assert.deepEqual(ortSessionOptions({ spin: false }).extra, {
      session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
    });
  });
});

describe('createSession + run', () => {
  let affine: RuntimeSession;
  before(async () => {
    affine = await createSession(affineModel());
  });
  after(async () => {
    await affine.release();
  });

  it('reports input and output names and specs', () => {
    assert.deepEqual(affine.inputNames, ['X', 'W']);
    assert.deepEqual(affine.outputNames, ['Y']);
    assert.deepEqual(affine.inputs[0], { name: 'X', dtype: 'float32', ortType: 'float32', dims: ['N', 3] });
  });

  it('runs a float32 MatMul + Add with a symbolic batch dim', async () => {
    for (const n of [1, 5]) {
      const x = Float32Array.from({ length: n * 3 }, (_, i) => (i % 7) - 3.5);
      const w = Float32Array.from({ length: 12 }, (_, i) => i / 4 - 1);
      const { Y } = await affine.run({ X: hostTensor('float32', [n, 3], x), W: hostTensor('float32', [3, 4], w) });
      assert.equal(Y.dtype, 'float32');
      assert.deepEqual(Y.dims, [n, 4]);
      const want = affineReference(x, w, [0.5, -1, 2, 0], n);
      (Y.data as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-5, `${i}: ${v} vs ${want[i]}`));
    }
  });

  it('runs a float64 graph at float64 precision', async () => {
    const s = await createSession(float64Model());
    try {
      const x = [0.1, -0.2, 0.3, 0.4];
      const { Y } = await s.run({ X: hostTensor('float64', [2, 2], Float64Array.from(x)) });
      assert.ok(Y.data instanceof Float64Array);
      const e = x.map(Math.exp);
      const want = [
        e[0] * x[0] + e[1] * x[2] + x[0],
        e[0] * x[1] + e[1] * x[3] + x[1],
        e[2] * x[0] + e[3] * x[2] + x[2],
        e[2] * x[1] + e[3] * x[3] + x[3],
      ];
      Y.data.forEach((v, i) => assert.ok(Math.abs(Number(v) - want[i]) < 1e-14, `${i}: ${v} vs ${want[i]}`));
    } finally {
      await s.release();
    }
  });

  it('runs an int64 Gather and returns int64 outputs as BigInt64Array', async () => {
    const s = await createSession(gatherModel());
    try {
      const out = await s.run({ ids: hostTensor('int64', [3], new BigInt64Array([4n, 0n, 2n])) });
      assert.deepEqual(out.E.dims, [3, 2]);
      assert.deepEqual([...(out.E.data as Float32Array)], [40, 41, 0, 1, 20, 21]);
      assert.equal(out.next.dtype, 'int64');
      assert.deepEqual([...(out.next.data as BigInt64Array)], [5n, 1n, 3n]);
      const only = await s.run({ ids: hostTensor('int64', [1], new BigInt64Array([1n])) }, { fetch: ['next'] });
      assert.deepEqual(Object.keys(only), ['next']);
    } finally {
      await s.release();
    }
  });

  it('passes bool, uint8, int8, int32 and float16 tensors both ways', async () => {
    const g = new GraphBuilder('dtypes');
    const mask = g.input('mask', 'bool', [3]);
    const u8 = g.input('u8', 'uint8', [2]);
    const i8 = g.input('i8', 'int8', [2]);
    const i32 = g.input('i32', 'int32', [2]);
    const f = g.input('f', 'float32', [3]);
    g.output(g.op('Not', [mask]), 'not_mask');
    g.output(g.op('Add', [u8, u8]), 'u8x2');
    g.output(g.op('Neg', [i8]), 'neg_i8');
    g.output(g.op('Mul', [i32, i32]), 'i32sq');
    g.output(g.op('Cast', [f], { to: attr.int(10) }), 'half'); // 10 = FLOAT16
    const s = await createSession(serializeModel(g.model()));
    try {
      const out = await s.run({
        mask: hostTensor('bool', [3], new Uint8Array([1, 0, 1])),
        u8: hostTensor('uint8', [2], new Uint8Array([3, 200])),
        i8: hostTensor('int8', [2], new Int8Array([-5, 7])),
        i32: hostTensor('int32', [2], new Int32Array([-3, 40000])),
        f: hostTensor('float32', [3], new Float32Array([1, -2, 0.5])),
      });
      assert.equal(out.not_mask.dtype, 'bool');
      assert.deepEqual([...(out.not_mask.data as Uint8Array)], [0, 1, 0]);
      assert.deepEqual([...(out.u8x2.data as Uint8Array)], [6, 144]); // uint8 wraps
      assert.deepEqual([...(out.neg_i8.data as Int8Array)], [5, -7]);
      assert.deepEqual([...(out.i32sq.data as Int32Array)], [9, 1600000000]);
      assert.equal(out.half.dtype, 'float16');
      assert.ok(out.half.data instanceof Uint16Array);
      assert.deepEqual([...out.half.data], [0x3c00, 0xc000, 0x3800]);
    } finally {
      await s.release();
    }
  });

  it('writes preallocated outputs in place and returns the same numbers as without', async () => {
    const x = hostTensor('float32', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]));
    const w = hostTensor(
      'float32',
      [3, 4],
      Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)),
    );
    const plain = await affine.run({ X: x, W: w });
    const target = hostTensor('float32', [2, 4], new Float32Array(8).fill(Number.NaN));
    const pre = await affine.run({ X: x, W: w }, { outputs: { Y: target } });
    assert.equal(pre.Y, target);
    assert.deepEqual([...target.data], [...(plain.Y.data as Float32Array)]);
    // A view into a bigger buffer (as DoubleBuffer / flat layouts hand out) is written at its offset.
    const big = new Float32Array(12).fill(-1);
    await affine.run({ X: x, W: w }, { outputs: { Y: hostTensor('float32', [2, 4], big.subarray(2, 10)) } });
    assert.deepEqual([...big.subarray(2, 10)], [...(plain.Y.data as Float32Array)]);
    assert.deepEqual([big[0], big[1], big[10], big[11]], [-1, -1, -1, -1]);
  });

  it('refuses bad feeds with RUNTIME.BAD_FEED naming the input', async () => {
    const W = hostTensor('float32', [3, 4]);
    const X = hostTensor('float32', [2, 3]);
    await assert.rejects(affine.run({ X }), isCoin('RUNTIME.BAD_FEED', /input "W" is missing/));
    await assert.rejects(
      affine.run({ X, W, Z: X }),
      isCoin('RUNTIME.BAD_FEED', /feed "Z" is not an input of the model \(inputs: X, W\)/),
    );
    await assert.rejects(
      affine.run({ X: hostTensor('float64', [2, 3]), W }),
      isCoin('RUNTIME.BAD_FEED', /input "X" is float64, the model expects float32/),
    );
    await assert.rejects(
      affine.run({ X: hostTensor('float32', [6]), W }),
      isCoin('RUNTIME.BAD_FEED', /input "X" has dims \[6\] \(rank 1\), the model expects \[N, 3\] \(rank 2\)/),
    );
    await assert.rejects(
      affine.run({ X: hostTensor('float32', [2, 4]), W }),
      isCoin('RUNTIME.BAD_FEED', /input "X" has dims \[2, 4\].*dim 1 must be 3/),
    );
    await assert.rejects(
      affine.run({ X: { dtype: 'float32', dims: [2, 3], data: new Float32Array(5) }, W }),
      isCoin('RUNTIME.BAD_FEED', /input "X".*needs 6 elements, got 5/),
    );
    const e = await affine.run({ X }).catch((err: unknown) => err);
    assert.equal((e as CoinError).kind, 'INVALID_ARGUMENT');
    assert.deepEqual((e as CoinError).details, { input: 'W' });
  });

  it('refuses a preallocated output of the wrong dims or name with RUNTIME.BAD_OUTPUT', async () => {
    const feeds = { X: hostTensor('float32', [2, 3]), W: hostTensor('float32', [3, 4]) };
    await assert.rejects(
      affine.run(feeds, { outputs: { Y: hostTensor('float32', [2, 3]) } }),
      isCoin('RUNTIME.BAD_OUTPUT', /output "Y" has dims \[2, 3\]/),
    );
    // N is symbolic, so only ORT can tell that 3 rows are wrong for a batch of 2.
    await assert.rejects(
      affine.run(feeds, { outputs: { Y: hostTensor('float32', [3, 4]) } }),
      isCoin('RUNTIME.BAD_OUTPUT', /"Y"/),
    );
    await assert.rejects(
      affine.run(feeds, { outputs: { Q: hostTensor('float32', [2, 4]) } }),
      isCoin('RUNTIME.BAD_OUTPUT', /"Q" is not an output/),
    );
    await assert.rejects(affine.run(feeds, { fetch: ['nope'] }), isCoin('RUNTIME.BAD_OUTPUT'));
  });

  it('reports a mismatch ORT only finds inside a kernel as RUN_FAILED with its message', async () => {
    const g = new GraphBuilder('two');
    const a = g.input('A', 'float32', ['N']);
    const b = g.input('B', 'float32', ['N']);
    g.output(g.op('Add', [a, b]), 'C');
    const s = await createSession(serializeModel(g.model()));
    try {
      await assert.rejects(
        s.run({ A: hostTensor('float32', [2]), B: hostTensor('float32', [3]) }),
        isCoin('RUNTIME.RUN_FAILED', /broadcast/),
      );
    } finally {
      await s.release();
    }
  });

  it('refuses runs after release', async () => {
    const s = await createSession(affineModel());
    await s.release();
    await s.release();
    await assert.rejects(s.run({}), isCoin('RUNTIME.RELEASED'));
  });
});

describe('createSession errors', () => {
  it('maps invalid model bytes to RUNTIME.BAD_MODEL', async () => {
    await assert.rejects(
      createSession(new Uint8Array([1, 2, 3, 4, 5])),
      isCoin('RUNTIME.BAD_MODEL', /cannot load the model/),
    );
    await assert.rejects(createSession(new Uint8Array(0)), isCoin('RUNTIME.BAD_MODEL', /empty/));
    const g = new GraphBuilder('bad_op');
    const x = g.input('X', 'float32', [2]);
    g.output(g.op('NoSuchOp', [x], {}, { types: [{ dtype: 'float32', shape: [2] }] }), 'Y');
    await assert.rejects(createSession(serializeModel(g.model())), isCoin('RUNTIME.BAD_MODEL', /NoSuchOp/));
  });
  it("refuses 'cuda' without the CUDA provider instead of falling back to CPU", async () => {
    await assert.rejects(createSession(affineModel(), { executionProvider: 'cuda' }), (e: unknown) => {
      assert.ok(e instanceof CoinError);
      assert.equal(e.code, 'RUNTIME.CUDA_UNAVAILABLE');
      assert.equal(e.kind, 'UNAVAILABLE');
      assert.match(
        e.hint ?? '',
        /ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install/,
      );
      return true;
    });
    await assert.rejects(
      createSession(affineModel(), { executionProvider: 'tpu' as 'cpu' }),
      isCoin('RUNTIME.BAD_OPTIONS'),
    );
  });
  it("runs ORT's com.microsoft operators (SkipSimplifiedLayerNormalization), without spinning threads", async () => {
    const b = new GraphBuilder('skip_norm');
    const x = b.input('x', 'float32', [2, 4]);
    const skip = b.input('skip', 'float32', [2, 4]);
    const gamma = b.input('gamma', 'float32', [4]);
    const outs = b.opN(
      'SkipSimplifiedLayerNormalization',
      [x, skip, gamma],
      4,
      { epsilon: attr.float(1e-6) },
      {
        domain: 'com.microsoft',
        types: [
          { dtype: 'float32', shape: [2, 4] },
          { dtype: 'float32', shape: null },
          { dtype: 'float32', shape: null },
          { dtype: 'float32', shape: [2, 4] },
        ],
      },
    );
    b.output(outs[0], 'normed');
    b.output(outs[3], 'sum');
    const s = await createSession(serializeModel(b.model()), { spin: false });
    const xs = [1, -2, 3, 0.5, 0, 4, -1, 2];
    const ss = [0.5, 0.5, -1, 1, 2, -2, 0, 1];
    const gs = [1, 2, 0.5, -1];
    const out = await s.run({
      x: { dtype: 'float32', dims: [2, 4], data: Float32Array.from(xs) },
      skip: { dtype: 'float32', dims: [2, 4], data: Float32Array.from(ss) },
      gamma: { dtype: 'float32', dims: [4], data: Float32Array.from(gs) },
    });
    for (let r = 0; r < 2; r++) {
      const sum = [0, 1, 2, 3].map((c) => xs[r * 4 + c] + ss[r * 4 + c]);
      const rms = Math.sqrt(sum.reduce((a, v) => a + v * v, 0) / 4 + 1e-6);
      for (let c = 0; c < 4; c++) {
        assert.ok(Math.abs((out.sum.data as Float32Array)[r * 4 + c] - sum[c]) < 1e-6);
        assert.ok(
          Math.abs((out.normed.data as Float32Array)[r * 4 + c] - (sum[c] / rms) * gs[c]) < 1e-5,
          `normed[${r}, ${c}]`,
        );
      }
    }
    await s.release();
  });

  it('writes a profile when asked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coin-prof-'));
    try {
      const s = await createSession(affineModel(), { profile: true, profileFilePrefix: join(dir, 'p') });
      await s.run({ X: hostTensor('float32', [1, 3]), W: hostTensor('float32', [3, 4]) });
      s.endProfiling();
      await s.release();
      const files = await readdir(dir);
      assert.equal(files.length, 1);
      assert.match(files[0], /^p.*\.json$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
