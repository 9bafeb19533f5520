import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoinError, Rng } from '@coin/core';
import { trainByteLevelBpe } from './bpe-train.js';
import { ByteLevelBpeTokenizer } from './bpe-tokenizer.js';
import { HfJsonTokenizer } from './hf-tokenizer.js';
import { loadTokenizer, saveByteLevelBpe } from './load.js';
import { englishLikeCorpus, HOSTILE_STRINGS, randomUnicodeStrings } from '../testing/test-corpus.js';
import { type Tokenizer } from './tokenizer.js';

const corpus = [...englishLikeCorpus(1500), ...HOSTILE_STRINGS, ...randomUnicodeStrings(200)];
const model = trainByteLevelBpe(corpus, { vocabSize: 1024 });

describe('ByteLevelBpeTokenizer', () => {
  const tok = new ByteLevelBpeTokenizer(model);

  it('round-trips arbitrary Unicode exactly', () => {
    for (const s of [...HOSTILE_STRINGS, ...randomUnicodeStrings(500, 77)]) {
      assert.equal(tok.decode(tok.encode(s)), s, JSON.stringify(s));
    }
  });

  it('compresses text with learned merges', () => {
    const text = englishLikeCorpus(50, 3).join(' ');
    const ids = tok.encode(text);
    assert.ok(
      ids.length < new TextEncoder().encode(text).length / 2.5,
      `${ids.length} tokens for ${text.length} chars`,
    );
  });

  it('maps special strings to their ids and can skip them when decoding', () => {
    const ids = tok.encode('<s>hi</s><image>', { addBos: true });
    assert.deepEqual([ids[0], ids[1]], [tok.bosId, tok.bosId]);
    assert.equal(ids.at(-2), tok.eosId);
    assert.equal(ids.at(-1), tok.tokenToId('<image>'));
    assert.equal(tok.decode(ids), '<s><s>hi</s><image>');
    assert.equal(tok.decode(ids, { skipSpecialTokens: true }), 'hi');
    assert.deepEqual([tok.unkId, tok.bosId, tok.eosId, tok.padId], [0, 1, 2, 0]);
    assert.ok(tok.isSpecialId(4) && !tok.isSpecialId(5));
  });

  it('refuses ids outside the vocabulary', () => {
    assert.throws(
      () => tok.decode([5, tok.vocabSize]),
      (e: unknown) => e instanceof CoinError && e.code === 'TOKENIZER.UNKNOWN_ID',
    );
  });

  it('encodes 1 MB of text fast (word cache)', () => {
    const rng = new Rng(5);
    const parts: string[] = [];
    let length = 0;
    const sentences = englishLikeCorpus(3000, 11);
    while (length < 1_000_000) {
      const s = rng.pick(sentences);
      parts.push(s);
      length += s.length + 1;
    }
    const text = parts.join(' ');
    const fresh = new ByteLevelBpeTokenizer(model);
    const start = performance.now();
    const ids = fresh.encode(text);
    const seconds = (performance.now() - start) / 1000;
    const charsPerSecond = text.length / seconds;
    console.log(
      `encode throughput: ${(charsPerSecond / 1e6).toFixed(2)} M chars/s (${text.length} chars → ${ids.length} tokens, cold cache)`,
    );
    // Generous floor for a shared 2-core machine; measured ~10 M chars/s.
    assert.ok(charsPerSecond > 1e6, `${charsPerSecond} chars/s`);
  });
});

describe('trained tokenizer.json through @huggingface/tokenizers', () => {
  let dir: string;
  let ours: Tokenizer;
  let hf: Tokenizer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-tok-'));
    await saveByteLevelBpe(dir, model);
    ours = await loadTokenizer(join(dir, 'tokenizer.json'));
    hf = await loadTokenizer(join(dir, 'tokenizer.json'), { forceHf: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('loads back with our encoder by default and through HF on request', () => {
    assert.ok(ours instanceof ByteLevelBpeTokenizer);
    assert.ok(hf instanceof HfJsonTokenizer);
    assert.deepEqual((ours as ByteLevelBpeTokenizer).model, model);
    assert.deepEqual(
      [hf.vocabSize, hf.bosId, hf.eosId, hf.unkId, hf.padId],
      [ours.vocabSize, ours.bosId, ours.eosId, ours.unkId, ours.padId],
    );
  });

  it('encodes and decodes identically on a corpus', () => {
    const texts = [...englishLikeCorpus(300, 21), ...HOSTILE_STRINGS, ...randomUnicodeStrings(300, 22)];
    for (const text of texts) {
      const a = ours.encode(text, { addBos: true });
      assert.deepEqual(hf.encode(text, { addBos: true }), a, JSON.stringify(text));
      assert.equal(hf.decode(a), ours.decode(a), JSON.stringify(text));
      assert.equal(hf.decode(a, { skipSpecialTokens: true }), ours.decode(a, { skipSpecialTokens: true }));
    }
  });
});
