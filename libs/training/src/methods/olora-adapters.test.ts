import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { adapterConfig } from '@coin/model';
import { MICRO } from '../testing/micro-vlm.js';
import { freshAdapter } from './olora-adapters.js';

const lora = adapterConfig({ kind: 'lora', rank: 4, alpha: 8 });
const Q = 'layers.0.attn.q';

test('olora: each stage starts a LoRA of its own (new A, zero B), deterministic from (seed, stage)', () => {
  const first = freshAdapter(MICRO.decoder, lora, 1, 1);
  const second = freshAdapter(MICRO.decoder, lora, 1, 2);
  assert.notDeepEqual(first.get(`${Q}.lora_A`)!.data, second.get(`${Q}.lora_A`)!.data);
  assert.ok((second.get(`${Q}.lora_B`)!.data as Float32Array).every((x) => x === 0));
  assert.deepEqual(freshAdapter(MICRO.decoder, lora, 1, 2), second);
});

test('olora refuses adapters it cannot merge', () => {
  for (const kind of ['moelora', 'full'] as const)
    assert.throws(() => freshAdapter(MICRO.decoder, adapterConfig({ kind, rank: 4 }), 1, 1), {
      code: 'METHOD.BAD_ADAPTER',
    });
});
