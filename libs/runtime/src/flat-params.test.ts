import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoinError } from '@coin/core';
import { DoubleBuffer, flatLayout, layoutOf, packFlat, unpackFlat, viewOf } from './flat-params.js';
import { createSession } from './session.js';
import { hostTensor, tensorsBitEqual } from './tensor.js';
import { flatSgdModel } from './testing/test-models.js';

const shapes = { 'b.weight': [2, 3], 'a.bias': [3], 'c.scale': [] } as const;

describe('flatLayout', () => {
  it('orders entries by name, whatever the insertion order, with contiguous offsets', () => {
    const l1 = flatLayout(shapes);
    const l2 = flatLayout({ 'c.scale': [], 'a.bias': [3], 'b.weight': [2, 3] });
    assert.deepEqual(l1.entries, l2.entries);
    assert.deepEqual(
      l1.entries.map((e) => [e.name, e.offset, e.size]),
      [
        ['a.bias', 0, 3],
        ['b.weight', 3, 6],
        ['c.scale', 9, 1],
      ],
    );
    assert.equal(l1.total, 10);
  });
});

describe('packFlat / unpackFlat', () => {
  const tensors = {
    'b.weight': hostTensor('float32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6])),
    'a.bias': hostTensor('float32', [3], new Float32Array([-1, -2, -3])),
    'c.scale': hostTensor('float32', [], new Float32Array([0.5])),
  };
  it('packs in layout order and unpacks to views over the same memory', () => {
    const layout = layoutOf(tensors);
    const flat = packFlat(layout, tensors);
    assert.deepEqual([...flat], [-1, -2, -3, 1, 2, 3, 4, 5, 6, 0.5]);
    const views = unpackFlat(layout, flat);
    assert.deepEqual([...views['b.weight'].data], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(views['b.weight'].dims, [2, 3]);
    assert.equal(views['b.weight'].data.buffer, flat.buffer);
    views['c.scale'].data[0] = 7; // writing a view writes the flat buffer: no copy was made
    assert.equal(flat[9], 7);
    assert.equal(viewOf(layout, flat, 'a.bias').data[2], -3);
  });
  it('packs into a given buffer', () => {
    const layout = layoutOf(tensors);
    const into = new Float32Array(layout.total);
    assert.equal(packFlat(layout, tensors, into), into);
    assert.equal(into[3], 1);
  });
  it('rejects missing, extra, mis-shaped and non-float32 tensors, naming them', () => {
    const layout = layoutOf(tensors);
    const { 'a.bias': _omit, ...missing } = tensors;
    const is = (code: string, re: RegExp) => (e: unknown) =>
      e instanceof CoinError && e.code === code && re.test(e.message);
    assert.throws(() => packFlat(layout, missing), is('FLAT_PARAMS.MISSING', /"a\.bias"/));
    assert.throws(
      () => packFlat(layout, { ...tensors, extra: hostTensor('float32', [1]) }),
      is('FLAT_PARAMS.UNKNOWN_NAME', /"extra"/),
    );
    assert.throws(
      () => packFlat(layout, { ...tensors, 'a.bias': hostTensor('float32', [1, 3]) }),
      is('FLAT_PARAMS.BAD_TENSOR', /\[1, 3\].*\[3\]/),
    );
    assert.throws(
      () => packFlat(layout, { ...tensors, 'a.bias': hostTensor('float64', [3]) }),
      is('FLAT_PARAMS.BAD_TENSOR', /float64/),
    );
    assert.throws(() => unpackFlat(layout, new Float32Array(3)), is('FLAT_PARAMS.BAD_BUFFER', /3 elements.*needs 10/));
    assert.throws(() => viewOf(layout, new Float32Array(10), 'nope'), is('FLAT_PARAMS.UNKNOWN_NAME', /"nope"/));
  });
});

describe('DoubleBuffer', () => {
  it('swaps front and back without allocating', () => {
    const layout = flatLayout(shapes);
    const initial = new Float32Array(layout.total).fill(1);
    const db = new DoubleBuffer(layout, initial);
    const back = db.back;
    assert.equal(db.front, initial);
    back.fill(2);
    db.swap();
    assert.equal(db.front, back);
    assert.equal(db.back, initial);
    assert.equal(db.views()['c.scale'].data[0], 2);
    assert.deepEqual(db.frontTensor().dims, [10]);
    assert.throws(() => new DoubleBuffer(layout, new Float32Array(2)), /needs 10/);
  });
});

describe('flat buffers through a session', () => {
  it('double-buffered preallocated outputs give bit-identical steps to plain runs', async () => {
    const layout = flatLayout({ 'lm.w': [4, 8], 'emb.table': [16, 4], 'norm.g': [8] });
    const session = await createSession(flatSgdModel(layout));
    try {
      let seed = 7;
      const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
      const initial = Float32Array.from({ length: layout.total }, rand);
      const grads = hostTensor('float32', [layout.total], Float32Array.from({ length: layout.total }, rand));
      const lr = hostTensor('float32', [], new Float32Array([0.1]));

      let plain: Float32Array = initial.slice();
      const db = new DoubleBuffer(layout, initial.slice());
      for (let step = 0; step < 3; step++) {
        const a = await session.run({ params: hostTensor('float32', [layout.total], plain), grads, lr });
        const backBefore = db.back;
        const b = await session.run(
          { params: db.frontTensor(), grads, lr },
          { outputs: { new_params: db.backTensor() } },
        );
        assert.equal(b.new_params.data, backBefore); // written in place, not copied
        assert.ok(tensorsBitEqual(a.new_params, b.new_params), `step ${step}`);
        for (const e of layout.entries) assert.ok(tensorsBitEqual(a[`sumsq:${e.name}`], b[`sumsq:${e.name}`]), e.name);
        db.swap();
        plain = a.new_params.data as Float32Array;
        // The graph sliced the flat buffer at the layout's offsets: its per-tensor sums match the views.
        for (const [name, view] of Object.entries(db.views())) {
          const want = view.data.reduce((s, v) => s + v * v, 0);
          const got = (a[`sumsq:${name}`].data as Float32Array)[0];
          assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, want), `${name}: ${got} vs ${want}`);
        }
      }
      assert.ok(!tensorsBitEqual(hostTensor('float32', [layout.total], initial), db.frontTensor()));
    } finally {
      await session.release();
    }
  });

  it('times preallocated vs ORT-allocated outputs for an 8 MB buffer (reported, not asserted)', async (t) => {
    const layout = flatLayout({ big: [2_000_000] });
    const session = await createSession(flatSgdModel(layout));
    try {
      const db = new DoubleBuffer(layout);
      const grads = hostTensor('float32', [layout.total]);
      const lr = hostTensor('float32', [], new Float32Array([0.1]));
      const time = async (prealloc: boolean) => {
        const samples: number[] = [];
        for (let i = 0; i < 7; i++) {
          const t0 = performance.now();
          await session.run(
            { params: db.frontTensor(), grads, lr },
            prealloc ? { outputs: { new_params: db.backTensor() } } : {},
          );
          samples.push(performance.now() - t0);
        }
        return samples.sort((x, y) => x - y)[3];
      };
      await time(true);
      const allocated = await time(false);
      const preallocated = await time(true);
      t.diagnostic(
        `8 MB output: ORT-allocated ${allocated.toFixed(2)} ms, preallocated ${preallocated.toFixed(2)} ms (median of 7)`,
      );
      assert.ok(allocated > 0 && preallocated > 0);
    } finally {
      await session.release();
    }
  });
});
