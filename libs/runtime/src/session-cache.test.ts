import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoinError } from '@coin/core';
import { GraphBuilder, serializeModel } from '@coin/onnx';
import { SessionCache } from './session-cache.js';
import { hostTensor } from './tensor.js';
import { affineModel } from './testing/test-models.js';

const feeds = () => ({
  X: hostTensor('float32', [1, 3], new Float32Array([1, 1, 1])),
  W: hostTensor('float32', [3, 4], new Float32Array(12).fill(1)),
});

/** Y[n, n] = X · X, slow enough (n = 384) that a run is still in flight when we evict it. */
function squareModel(n: number): Uint8Array {
  const g = new GraphBuilder('square');
  const x = g.input('X', 'float32', [n, n]);
  let y = x;
  for (let i = 0; i < 8; i++) y = g.op('MatMul', [y, x]);
  g.output(y, 'Y');
  return serializeModel(g.model());
}

describe('SessionCache', () => {
  it('builds once per key and returns the same session on a hit', async () => {
    const cache = new SessionCache({ sessionOptions: { threads: 1 } });
    let built = 0;
    const build = () => {
      built++;
      return affineModel();
    };
    const a = await cache.get('train:B1', build);
    const b = await cache.get('train:B1', build);
    assert.equal(a, b);
    assert.equal(built, 1);
    const { Y } = await a.run(feeds());
    assert.deepEqual([...(Y.data as Float32Array)], [3.5, 2, 5, 3]);
    await cache.clear();
    assert.equal(cache.size, 0);
  });

  it('shares one build between concurrent misses of the same key', async () => {
    const cache = new SessionCache();
    let built = 0;
    const slowBuild = async () => {
      built++;
      await sleep(20);
      return affineModel();
    };
    const sessions = await Promise.all(Array.from({ length: 5 }, () => cache.get('k', slowBuild)));
    assert.equal(built, 1);
    assert.equal(cache.buildCount, 1);
    assert.ok(sessions.every((s) => s === sessions[0]));
    await cache.clear();
  });

  it('evicts and releases the least recently used session', async () => {
    const cache = new SessionCache({ maxSessions: 2 });
    const a = await cache.get('a', affineModel);
    const b = await cache.get('b', affineModel);
    await cache.get('a', affineModel); // a is now more recent than b
    await cache.get('c', affineModel);
    assert.deepEqual(cache.keys(), ['a', 'c']);
    await sleep(0);
    await assert.rejects(
      b.run(feeds()),
      (e: unknown) => e instanceof CoinError && e.code === 'RUNTIME.RELEASED' && /evicted/.test(e.message),
    );
    await a.run(feeds());
    const b2 = await cache.get('b', affineModel);
    assert.notEqual(b2, b);
    assert.equal(cache.buildCount, 4);
    assert.deepEqual(cache.keys(), ['c', 'b']);
    await cache.clear();
  });

  it('does not cache a failed build, and retries on the next call', async () => {
    const cache = new SessionCache();
    await assert.rejects(
      cache.get('bad', () => new Uint8Array([9, 9, 9])),
      (e: unknown) => e instanceof CoinError && e.code === 'RUNTIME.BAD_MODEL',
    );
    await assert.rejects(
      cache.get('boom', () => Promise.reject(new Error('builder failed'))),
      /builder failed/,
    );
    await sleep(0);
    assert.equal(cache.has('bad'), false);
    assert.equal(cache.has('boom'), false);
    const s = await cache.get('bad', affineModel);
    await s.run(feeds());
    await cache.clear();
  });

  it('lets an in-flight run finish before releasing an evicted session', async () => {
    const cache = new SessionCache({ maxSessions: 1, sessionOptions: { threads: 1 } });
    const n = 384;
    const s = await cache.get('big', () => squareModel(n));
    const x = hostTensor('float32', [n, n], new Float32Array(n * n).fill(1 / n));
    const order: string[] = [];
    const run = s.run({ X: x }).then((out) => {
      order.push('run');
      return out;
    });
    const evicted = cache.delete('big').then(() => order.push('released'));
    const out = await run;
    await evicted;
    assert.deepEqual(order, ['run', 'released']);
    assert.ok(Math.abs((out.Y.data as Float32Array)[0] - 1 / n) < 1e-6); // the all-1/n matrix is idempotent
    await assert.rejects(s.run({ X: x }), /evicted/);
  });

  it('drops a session its user released, so the next get builds a fresh one', async () => {
    const cache = new SessionCache();
    const s = await cache.get('k', affineModel);
    await s.release();
    assert.equal(cache.has('k'), false);
    const s2 = await cache.get('k', affineModel);
    assert.notEqual(s2, s);
    await s2.run(feeds());
    await cache.clear();
  });

  it('rejects a bad size', () => {
    assert.throws(() => new SessionCache({ maxSessions: 0 }), /positive integer/);
  });
});
