import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import type { TensorData } from '@coin/onnx';
import { adapterConfig } from './adapters.js';
import { mergeLora } from './merge.js';

const f32 = (dims: number[], values: number[]): TensorData => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(values),
});
const isCode = (code: string, text?: string) => (e: unknown) =>
  e instanceof CoinError && e.code === code && (text === undefined || e.message.includes(text));
const lora = adapterConfig({ kind: 'lora', rank: 1, alpha: 2, targets: ['q'] }); // scaling 2

test('mergeLora folds s·A·B into the base weight and drops the adapter tensors', () => {
  const merged = mergeLora(
    new Map([
      ['layers.0.attn.q.weight', f32([2, 2], [1, 0, 0, 1])], // [in, out]
      ['layers.0.attn.q.lora_A', f32([2, 1], [1, 2])], // [in, r]
      ['layers.0.attn.q.lora_B', f32([1, 2], [0.5, 0.25])], // [r, out]
    ]),
    lora,
  );
  assert.deepEqual([...merged.keys()], ['layers.0.attn.q.weight']);
  assert.deepEqual([...(merged.get('layers.0.attn.q.weight')!.data as Float32Array)], [2, 0.5, 2, 2]);
});

test('mergeLora refuses tensors that are not float32 instead of doing arithmetic on their bits', () => {
  const half: TensorData = { dtype: 'float16', dims: [2, 1], data: Uint16Array.of(0x3c00, 0x3c00) }; // [1, 1] in half precision
  const weights = new Map([
    ['layers.0.attn.q.weight', f32([2, 2], [0, 0, 0, 0])],
    ['layers.0.attn.q.lora_A', half],
    ['layers.0.attn.q.lora_B', f32([1, 2], [0.5, 0.5])],
  ]);
  assert.throws(() => mergeLora(weights, lora), isCode('ADAPTER.BAD_DTYPE', 'layers.0.attn.q.lora_A is float16'));
});

test('mergeLora refuses a module with only one of lora_A and lora_B instead of dropping it', () => {
  const base = f32([2, 2], [0, 0, 0, 0]);
  const onlyB = new Map([
    ['layers.0.attn.q.weight', base],
    ['layers.0.attn.q.lora_B', f32([1, 2], [1, 1])],
  ]);
  assert.throws(() => mergeLora(onlyB, lora), isCode('ADAPTER.INCOMPLETE', 'layers.0.attn.q.lora_A is missing'));
  const onlyA = new Map([
    ['layers.0.attn.q.weight', base],
    ['layers.0.attn.q.lora_A', f32([2, 1], [1, 1])],
  ]);
  assert.throws(() => mergeLora(onlyA, lora), isCode('ADAPTER.INCOMPLETE', 'layers.0.attn.q.lora_B is missing'));
});

test('mergeLora refuses adapter tensors whose shapes disagree with the base weight or the rank', () => {
  const weights = (a: TensorData, b: TensorData) =>
    new Map([
      ['layers.0.attn.q.weight', f32([2, 3], [0, 0, 0, 0, 0, 0])],
      ['layers.0.attn.q.lora_A', a],
      ['layers.0.attn.q.lora_B', b],
    ]);
  assert.throws(
    () => mergeLora(weights(f32([2, 1], [1, 1]), f32([1, 2], [1, 1])), lora),
    isCode('ADAPTER.BAD_SHAPE', 'layers.0.attn.q.lora_B'),
  );
  assert.throws(
    () => mergeLora(weights(f32([3, 1], [1, 1, 1]), f32([1, 3], [1, 1, 1])), lora),
    isCode('ADAPTER.BAD_SHAPE', 'layers.0.attn.q.lora_A'),
  );
  assert.throws(
    () => mergeLora(weights(f32([2, 2], [1, 1, 1, 1]), f32([2, 3], [1, 1, 1, 1, 1, 1])), lora),
    isCode('ADAPTER.BAD_SHAPE', 'rank 1'),
  );
});
