import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { baseWeightShapes, initModel } from './init.js';
import { PRESETS } from './presets.js';
import type { WeightMap } from './weights.js';

test('baseWeightShapes lists exactly the names and dims initModel draws, for every preset', () => {
  for (const config of Object.values(PRESETS)) {
    const drawn = [...initModel(config, 1)].map(([name, t]) => [name, t.dims.join('×')]);
    const listed = [...baseWeightShapes(config)].map(([name, dims]) => [name, dims.join('×')]);
    assert.deepEqual(listed, drawn, config.name);
  }
});

test('initModel is a pure function of the seed', () => {
  const [a, b, c] = [initModel(PRESETS.micro, 5), initModel(PRESETS.micro, 5), initModel(PRESETS.micro, 6)];
  const bytes = (m: WeightMap) => [...m.values()].map((t) => Array.from(t.data as Float32Array).join(',')).join(';');
  assert.equal(bytes(a), bytes(b));
  assert.notEqual(bytes(a), bytes(c));
});
