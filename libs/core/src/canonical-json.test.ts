import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { canonicalJson, unitKey } from './canonical-json.js';

test('canonicalJson sorts keys at every depth and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
  );
});

test('canonicalJson refuses values JSON cannot round-trip', () => {
  assert.throws(() => canonicalJson({ a: Number.NaN }), /non-finite number at a/);
  assert.throws(() => canonicalJson({ f: () => 1 }), /cannot encode function at f/);
});

test('unitKey depends on inputs and code version, not key order', () => {
  const k = unitKey({ task: 'GQA', seed: 1 }, 'v1');
  assert.equal(k, unitKey({ seed: 1, task: 'GQA' }, 'v1'));
  assert.notEqual(k, unitKey({ seed: 2, task: 'GQA' }, 'v1'));
  assert.notEqual(k, unitKey({ seed: 1, task: 'GQA' }, 'v2'));
  assert.match(k, /^[0-9a-f]{64}$/);
});
