import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { CoinError } from '@coin/core';
import { GraphBuilder } from '@coin/onnx';
import { decoderConfig, headDim, imageTokens } from './config.js';
import { decoderForward } from './decoder.js';
import { WeightSource } from './weights.js';

const coinError = (code: string) => (e: unknown) => e instanceof CoinError && e.code === code;

test('a sequence longer than maxSeq is a CoinError, not a plain Error', () => {
  const cfg = decoderConfig({ vocab: 16, dim: 8, layers: 1, heads: 2, maxSeq: 4 });
  const b = new GraphBuilder('too-long');
  const embeds = b.input('embeds', 'float32', [1, 5, 8]); // [B, T, C]
  const ctx = { b, w: new WeightSource(b, new Map()) };
  assert.throws(() => decoderForward(ctx, cfg, embeds), coinError('MODEL.SEQUENCE_TOO_LONG'));
});

test('inconsistent model shapes are CoinErrors', () => {
  assert.throws(
    () => headDim(decoderConfig({ vocab: 16, dim: 10, layers: 1, heads: 3, maxSeq: 4 })),
    coinError('MODEL.BAD_CONFIG'),
  );
  assert.throws(
    () => imageTokens({ imageSize: 30, patch: 4 } as Parameters<typeof imageTokens>[0]),
    coinError('MODEL.BAD_CONFIG'),
  );
});
