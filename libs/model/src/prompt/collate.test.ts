import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { collate, keptLength, toInt64 } from './collate.js';
import { IGNORE_INDEX, IMAGE_SENTINEL_ID } from './image-tokens.js';
import { modalityLength } from './modality-length.js';

describe('collate', () => {
  const a = { inputIds: [1, 7, IMAGE_SENTINEL_ID, 8, 9, 2], labels: [-100, -100, -100, -100, 9, 2] };
  const b = { inputIds: [1, 5, 2], labels: [-100, 5, 2] };

  it('right-pads ids with the pad id and labels with −100, [B, T] row-major', () => {
    const batch = collate([a, b], { padId: 0 });
    assert.equal(batch.batchSize, 2);
    assert.equal(batch.seqLen, 6);
    assert.deepEqual([...batch.inputIds], [1, 7, -200, 8, 9, 2, 1, 5, 2, 0, 0, 0]);
    assert.deepEqual(
      [...batch.labels],
      [-100, -100, -100, -100, 9, 2, -100, 5, 2, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX],
    );
    assert.deepEqual([...batch.attentionMask], [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    assert.deepEqual([...batch.imagePositions], [2, -1]);
    assert.deepEqual([...batch.lengths], [6, 3]);
  });

  it('left-pads for batched generation', () => {
    const batch = collate([a, b], { padId: 0, side: 'left' });
    assert.deepEqual([...batch.inputIds], [1, 7, -200, 8, 9, 2, 0, 0, 0, 1, 5, 2]);
    assert.deepEqual([...batch.attentionMask], [1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1]);
    const c = { inputIds: [1, IMAGE_SENTINEL_ID, 4], labels: [-100, -100, -100] };
    assert.deepEqual([...collate([a, c], { padId: 0, side: 'left' }).imagePositions], [2, 4]);
  });

  it('truncates to maxLength (a cut sentinel reads −1)', () => {
    const batch = collate([a, b], { padId: 0, maxLength: 2 });
    assert.equal(batch.seqLen, 2);
    assert.deepEqual([...batch.inputIds], [1, 7, 1, 5]);
    assert.deepEqual([...batch.imagePositions], [-1, -1]);
    assert.equal(batch.truncated, 2);
  });

  it('with imageTokens, bounds the expanded length: the text tail goes, the image stays whole, cuts are counted', () => {
    // a expands to 6 − 1 + 4 = 9 positions: maxLength 8 drops the final EOS, 7 the answer too.
    const eight = collate([a, b], { padId: 0, maxLength: 8, imageTokens: 4 });
    assert.deepEqual([...eight.lengths], [5, 3]);
    assert.deepEqual([...eight.imagePositions], [2, -1]);
    assert.equal(eight.truncated, 1);
    assert.equal(collate([a, b], { padId: 0, maxLength: 9, imageTokens: 4 }).truncated, 0);
    // An image that cannot fit whole is dropped with the rest, never cut in half.
    assert.equal(keptLength(a.inputIds, 5, 4), 2);
    assert.equal(keptLength(a.inputIds, 6, 4), 3);
    assert.equal(keptLength(a.inputIds, 6), 6);
  });

  it('refuses an empty batch and a sample whose labels do not match its ids', () => {
    assert.throws(
      () => collate([], { padId: 0 }),
      (e: unknown) => e instanceof CoinError && e.code === 'PROMPT.EMPTY_BATCH',
    );
    assert.throws(
      () => collate([{ inputIds: [1, 2], labels: [1] }], { padId: 0 }),
      (e: unknown) => e instanceof CoinError && e.code === 'PROMPT.BAD_SAMPLE',
    );
  });

  it('converts ids to int64', () => {
    assert.deepEqual([...toInt64(Int32Array.from([1, -200, 3]))], [1n, -200n, 3n]);
  });
});

describe('modalityLength', () => {
  it('counts words over all turns, negative without an image', () => {
    const conversations = [
      { from: 'human' as const, value: '<image>\nWhat  is\tthis? ' },
      { from: 'gpt' as const, value: 'A cat' },
    ];
    assert.equal(modalityLength({ id: 1, image: 'a.png', conversations }), 6);
    assert.equal(modalityLength({ id: 1, conversations }), -6);
  });
});
