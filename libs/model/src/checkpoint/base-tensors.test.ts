import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { type HostTensor } from '@coin/runtime';
import { hfTensorsToInternal, internalTensorsToHf } from './base-tensors.js';
import { internalNames } from '../internal-names.js';

const t = (dims: number[]): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.5 - 1),
});

describe('base-model tensors', () => {
  const weights = new Map<string, HostTensor>([
    [internalNames.embed, t([11, 4])],
    [internalNames.attnNorm(0), t([4])],
    [internalNames.linearWeight(0, 'q'), t([4, 4])],
    [internalNames.linearWeight(0, 'gate'), t([4, 6])],
    [internalNames.norm, t([4])],
    [internalNames.head, t([4, 11])],
    [internalNames.projector(0, 'weight'), t([3, 4])],
  ]);

  it('writes HF names with linears as [out, in] and reads them back exactly', () => {
    const hf = internalTensorsToHf(weights);
    assert.deepEqual([...hf['model.layers.0.mlp.gate_proj.weight'].dims], [6, 4]);
    assert.deepEqual([...hf['lm_head.weight'].dims], [11, 4]);
    assert.deepEqual([...hf['model.embed_tokens.weight'].dims], [11, 4]);
    const back = hfTensorsToInternal(hf);
    assert.deepEqual([...back.keys()].sort(), [...weights.keys()].sort());
    for (const [name, w] of weights) assert.deepEqual(back.get(name), w, name);
  });

  it('skips what it is told to and refuses other unknown keys', () => {
    const hf = { ...internalTensorsToHf(weights), 'model.vision_tower.blocks.0.weight': t([2]) };
    assert.throws(
      () => hfTensorsToInternal(hf, { source: 'x.safetensors' }),
      (e: unknown) =>
        e instanceof CoinError && e.code === 'CHECKPOINT.UNKNOWN_KEY' && e.message.startsWith('x.safetensors'),
    );
    assert.equal(hfTensorsToInternal(hf, { skip: /^model\.vision_tower\./ }).size, weights.size);
  });
});
