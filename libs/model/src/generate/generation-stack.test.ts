import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { tensor } from '@coin/onnx';
import { internalNames } from '../internal-names.js';
import { adapterConfig } from '../network/adapters.js';
import { headDim } from '../network/config.js';
import { initModel } from '../network/init.js';
import { PRESETS } from '../network/presets.js';
import { canPackQkv, PACKED_NAMES, packQkvWeights } from './generation-stack.js';

const cfg = PRESETS.micro.decoder;
const weights = initModel(PRESETS.micro, 11);

test('packed q, k, v weights lay out [Wq/√D | Wk | Wv] row by row, and nothing else', () => {
  const packed = packQkvWeights(cfg, weights);
  const C = cfg.dim;
  const s = 1 / Math.sqrt(headDim(cfg));
  for (let l = 0; l < cfg.layers; l++) {
    const qkv = packed.get(PACKED_NAMES.qkv(l))!;
    assert.deepEqual(qkv.dims, [C, 3 * C]);
    const w = (t: 'q' | 'k' | 'v') => weights.get(internalNames.linearWeight(l, t))!.data as Float32Array;
    for (const r of [0, 1, C - 1]) {
      const row = (qkv.data as Float32Array).subarray(r * 3 * C, (r + 1) * 3 * C);
      assert.deepEqual(
        Array.from(row.subarray(0, C)),
        Array.from(w('q').subarray(r * C, (r + 1) * C), (x) => Math.fround(x * s)),
      );
      assert.deepEqual(Array.from(row.subarray(C, 2 * C)), Array.from(w('k').subarray(r * C, (r + 1) * C)));
      assert.deepEqual(Array.from(row.subarray(2 * C)), Array.from(w('v').subarray(r * C, (r + 1) * C)));
    }
  }
  assert.deepEqual(
    [...packed.keys()],
    Array.from({ length: cfg.layers }, (_, l) => PACKED_NAMES.qkv(l)),
  );
});

test('q, k and v are packed for merged or fully tuned weights only, and never with biases on them', () => {
  assert.equal(canPackQkv(cfg, weights), true);
  assert.equal(canPackQkv(cfg, weights, adapterConfig({ kind: 'full' })), true);
  assert.equal(canPackQkv(cfg, weights, adapterConfig({ kind: 'lora' })), false);
  assert.equal(canPackQkv(cfg, weights, adapterConfig({ kind: 'moelora', rank: 8 })), false);
  const withBias = new Map(weights);
  withBias.set(`${internalNames.linear(0, 'k')}.bias`, tensor('float32', [cfg.dim]));
  assert.equal(canPackQkv(cfg, withBias), false);
  const withDownBias = new Map(weights);
  withDownBias.set(`${internalNames.linear(cfg.layers - 1, 'down')}.bias`, tensor('float32', [cfg.dim]));
  assert.equal(canPackQkv(cfg, withDownBias), true, 'down keeps its own MatMul and bias');
  const half = new Map(weights);
  const q = weights.get(internalNames.linearWeight(0, 'q'))!;
  half.set(internalNames.linearWeight(0, 'q'), tensor('float16', q.dims));
  assert.equal(canPackQkv(cfg, half), false);
});
