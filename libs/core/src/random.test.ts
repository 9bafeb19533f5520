import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, hash32 } from './random.js';

test('Rng: same seed and labels give the same stream; labels separate streams; floats look uniform', () => {
  const a = Rng.for(7, 'GQA', 'test', 3);
  const b = Rng.for(7, 'GQA', 'test', 3);
  const xs = Array.from({ length: 5 }, () => a.nextU32());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.nextU32()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => Rng.for(7, 'GQA', 'test', 4).nextU32()),
  );
  assert.notEqual(hash32('0|a'), hash32('1|a'));
  const r = new Rng(1);
  let sum = 0;
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 20000; i++) {
    const f = r.next();
    assert.ok(f >= 0 && f < 1);
    sum += f;
    buckets[Math.floor(f * 10)]++;
  }
  assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01, `mean ${sum / 20000}`);
  for (const n of buckets) assert.ok(n > 1800 && n < 2200, `bucket ${n}`);
  // xoshiro128** seeded by splitmix32, checked against an independent Python implementation;
  // a change here would silently change every generated world.
  const z = new Rng(0);
  assert.deepEqual([z.nextU32(), z.nextU32(), z.nextU32()], [3809008728, 1133695204, 53579671]);
});

test('Rng.normal: mean 0 and variance 1, to sampling error', () => {
  const r = new Rng(2);
  const xs = Array.from({ length: 20000 }, () => r.normal());
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
});
