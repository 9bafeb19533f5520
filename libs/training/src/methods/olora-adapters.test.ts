import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { adapterConfig, adapterScaling, isAdapterName } from '@coin/model';
import { MICRO, microBase } from '../testing/micro-vlm.js';
import { freshAdapter, retireAdapter } from './olora-adapters.js';

const lora = adapterConfig({ kind: 'lora', rank: 4, alpha: 8 });
const Q = 'layers.0.attn.q';

test('olora: each stage starts a LoRA of its own (new A, zero B); retiring merges it and keeps its A', () => {
  const first = freshAdapter(MICRO.decoder, lora, 1, 1);
  const second = freshAdapter(MICRO.decoder, lora, 1, 2);
  assert.notDeepEqual(first.get(`${Q}.lora_A`)!.data, second.get(`${Q}.lora_A`)!.data);
  assert.ok((second.get(`${Q}.lora_B`)!.data as Float32Array).every((x) => x === 0));
  assert.deepEqual(freshAdapter(MICRO.decoder, lora, 1, 2), second, 'deterministic from (seed, stage)');

  const trained = new Map([...microBase(), ...first]);
  const b = trained.get(`${Q}.lora_B`)!;
  trained.set(`${Q}.lora_B`, { ...b, data: Float32Array.from(b.data as Float32Array, (_, i) => (i % 3) * 0.1) });
  const one = retireAdapter(trained, lora, new Map());
  assert.ok(![...one.base.keys()].some(isAdapterName), 'the base carries no adapter tensors');
  assert.deepEqual(
    one.earlier.get(`${Q}.lora_A`)!.map((t) => t.data),
    [first.get(`${Q}.lora_A`)!.data],
  );
  // W[0, 1] ← W[0, 1] + s · Σ_k A[0, k] · B[k, 1]
  const A = first.get(`${Q}.lora_A`)!.data as Float32Array;
  const B = trained.get(`${Q}.lora_B`)!.data as Float32Array;
  const out = MICRO.decoder.dim;
  let delta = 0;
  for (let k = 0; k < lora.rank; k++) delta += A[k] * B[k * out + 1];
  const w0 = (microBase().get(`${Q}.weight`)!.data as Float32Array)[1];
  const w1 = (one.base.get(`${Q}.weight`)!.data as Float32Array)[1];
  assert.ok(Math.abs(w1 - (w0 + adapterScaling(lora) * delta)) < 1e-6);

  const two = retireAdapter(new Map([...one.base, ...second]), lora, one.earlier);
  assert.equal(two.earlier.get(`${Q}.lora_A`)!.length, 2, 'stage 3 sees both earlier A');
  assert.equal(one.earlier.get(`${Q}.lora_A`)!.length, 1, 'the earlier map is not modified');
});

test('olora refuses adapters it cannot merge', () => {
  for (const kind of ['moelora', 'full'] as const)
    assert.throws(() => freshAdapter(MICRO.decoder, adapterConfig({ kind, rank: 4 }), 1, 1), {
      code: 'METHOD.BAD_ADAPTER',
    });
});
