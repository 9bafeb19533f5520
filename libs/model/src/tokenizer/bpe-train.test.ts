import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError, Rng } from '@coin/core';
import { trainByteLevelBpe } from './bpe-train.js';
import { modelVocab } from './bpe-model.js';
import { englishLikeCorpus } from '../testing/test-corpus.js';
import { COIN_SPECIAL_TOKENS } from './tokenizer.js';

describe('trainByteLevelBpe', () => {
  it('is deterministic and independent of corpus order', () => {
    const corpus = englishLikeCorpus(400);
    const a = trainByteLevelBpe(corpus, { vocabSize: 400 });
    const b = trainByteLevelBpe(corpus, { vocabSize: 400 });
    const rng = new Rng(9);
    const shuffled = rng.shuffle(corpus);
    const c = trainByteLevelBpe(shuffled, { vocabSize: 400 });
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
    assert.ok(a.merges.length > 50, `only ${a.merges.length} merges`);
  });

  it('puts special tokens at ids 0..4 and bytes after them', () => {
    const model = trainByteLevelBpe(['aaa bbb'], { vocabSize: 270 });
    const vocab = modelVocab(model);
    assert.deepEqual(vocab.slice(0, 5), [...COIN_SPECIAL_TOKENS]);
    assert.equal(vocab[5 + 0x41], 'A');
    assert.equal(vocab[5 + 0x20], 'Ġ');
  });

  it('merges the most frequent pair first', () => {
    const model = trainByteLevelBpe(['ab ab ab xy xy'], { vocabSize: 5 + 256 + 1, minFrequency: 1 });
    // Words "ab", " ab" x2, " xy" x2: (a,b) occurs 3 times, (Ġ,a), (Ġ,x) and (x,y) twice.
    assert.deepEqual(model.merges, [['a', 'b']]);
  });

  it('breaks count ties by the byte order of (left, right)', () => {
    // Every pair occurs once: (a,b), (x,y), (b,c). Byte order picks (a,b), then (ab,c) / (x,y)...
    const model = trainByteLevelBpe(['xy', 'abc'], { vocabSize: 5 + 256 + 3, minFrequency: 1 });
    assert.deepEqual(model.merges, [
      ['a', 'b'],
      ['ab', 'c'],
      ['x', 'y'],
    ]);
  });

  it('stops at minFrequency and never merges across special tokens', () => {
    const model = trainByteLevelBpe(['q<s>q<s>q<s>', 'zz'], { vocabSize: 1000 });
    for (const [left, right] of model.merges) {
      assert.ok(!(left + right).includes('<s>'), `merge ${left}+${right} crosses a special token`);
    }
    assert.equal(model.merges.length, 0, 'every pair here occurs once');
  });

  it('refuses a vocab size that cannot hold the base alphabet', () => {
    assert.throws(
      () => trainByteLevelBpe(['x'], { vocabSize: 100 }),
      (e: unknown) => e instanceof CoinError && e.code === 'TOKENIZER.BAD_VOCAB_SIZE',
    );
  });
});
