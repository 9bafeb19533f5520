import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { adapterConfig, adapterScaling, COIN_LORA, validateAdapter } from './adapters.js';

const isInvalid = (text: string) => (e: unknown) =>
  e instanceof CoinError && e.code === 'ADAPTER.INVALID' && e.kind === 'INVALID_ARGUMENT' && e.message.includes(text);

test('adapter alpha must be a finite positive number (scaling = alpha / r)', () => {
  assert.equal(adapterScaling(adapterConfig({ kind: 'lora', rank: 8, alpha: 16 })), 2);
  for (const alpha of [undefined, 0, -4, Number.NaN, Infinity, '16']) {
    assert.throws(
      () => adapterConfig({ kind: 'lora', alpha: alpha as unknown as number }),
      isInvalid('alpha'),
      `alpha ${String(alpha)}`,
    );
    assert.throws(
      () => adapterConfig({ kind: 'moelora', alpha: alpha as unknown as number }),
      isInvalid('alpha'),
      `alpha ${String(alpha)}`,
    );
  }
  assert.doesNotThrow(() => validateAdapter({ ...COIN_LORA, kind: 'full', alpha: Number.NaN })); // full fine-tuning has no adapter
});

test('plain LoRA has exactly one expert, as the checkpoint side requires', () => {
  assert.throws(() => adapterConfig({ kind: 'lora', experts: 4 }), isInvalid('experts'));
  assert.throws(() => validateAdapter({ ...COIN_LORA, experts: 0 }), isInvalid('experts'));
  assert.equal(adapterConfig({ kind: 'lora' }).experts, 1);
});
