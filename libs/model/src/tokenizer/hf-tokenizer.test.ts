import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { HfJsonTokenizer } from './hf-tokenizer.js';
import { loadTokenizer } from './load.js';
import { llamaStyleJson } from '../testing/llama-fixture.js';
import { postprocessGeneration } from '../prompt/eval-prompt.js';
import { type Tokenizer } from './tokenizer.js';

describe('HfJsonTokenizer on a LLaMA-style (sentencepiece BPE + byte fallback) tokenizer.json', () => {
  let dir: string;
  let tok: Tokenizer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coin-hf-'));
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(llamaStyleJson()));
    await writeFile(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({ bos_token: '<s>', eos_token: '</s>', unk_token: { content: '<unk>' }, pad_token: null }),
    );
    tok = await loadTokenizer(join(dir, 'tokenizer.json'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is loaded through @huggingface/tokenizers with LLaMA special ids', () => {
    assert.ok(tok instanceof HfJsonTokenizer);
    assert.deepEqual([tok.unkId, tok.bosId, tok.eosId, tok.padId], [0, 1, 2, 0]);
    assert.equal(tok.vocabSize, 3 + 256 + 9 + 10);
  });

  it('applies the dummy prefix, merges, and byte fallback', () => {
    const ids = tok.encode('Hello world', { addBos: true });
    assert.deepEqual(
      ids.map((id) => tok.idToToken(id)),
      ['<s>', '▁Hello', '▁world'],
    );
    const cat = tok.encode('Hello 猫').map((id) => tok.idToToken(id));
    assert.deepEqual(cat, ['▁Hello', '▁', '<0xE7>', '<0x8C>', '<0xAB>']);
    // The trailing space of "…ASSISTANT: " is its own "▁" token: the reason for LLaVA's "− 2".
    assert.deepEqual(
      tok.encode('Hello: ').map((id) => tok.idToToken(id)),
      ['▁Hello', ':', '▁'],
    );
  });

  it('decodes bytes back and strips the dummy prefix', () => {
    const ids = [tok.bosId, ...tok.encode('Hello 猫 world'), tok.eosId];
    assert.equal(tok.decode(ids, { skipSpecialTokens: true }), 'Hello 猫 world');
    assert.ok(tok.isSpecialId(tok.eosId) && !tok.isSpecialId(ids[1]));
  });

  it('decodes an empty generation (the end token first) to the empty answer', () => {
    assert.equal(tok.decode([]), '');
    assert.equal(postprocessGeneration(tok, []), '');
  });

  it('names a missing special token', () => {
    const json = llamaStyleJson();
    const noEos = {
      ...json,
      added_tokens: json.added_tokens?.slice(0, 2),
      model: {
        ...json.model,
        vocab: Object.fromEntries(Object.entries(json.model.vocab ?? {}).filter(([t]) => t !== '</s>')),
      },
    };
    assert.throws(
      () => new HfJsonTokenizer(noEos),
      (e: unknown) => e instanceof CoinError && e.code === 'TOKENIZER.MISSING_SPECIAL',
    );
  });
});

describe('loadTokenizer errors', () => {
  it('reports a missing file and a corrupt file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coin-hf-bad-'));
    try {
      await assert.rejects(
        loadTokenizer(join(dir, 'nope.json')),
        (e: unknown) => e instanceof CoinError && e.kind === 'NOT_FOUND',
      );
      await writeFile(join(dir, 'tokenizer.json'), '{"model": {"type": "BPE", "vocab": {');
      await assert.rejects(
        loadTokenizer(join(dir, 'tokenizer.json')),
        (e: unknown) => e instanceof CoinError && e.kind === 'DATA_LOSS',
      );
      await writeFile(join(dir, 'tokenizer.json'), '[1, 2]');
      await assert.rejects(
        loadTokenizer(join(dir, 'tokenizer.json')),
        (e: unknown) => e instanceof CoinError && e.code === 'TOKENIZER.BAD_JSON',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('HfJsonTokenizer on a file @huggingface/tokenizers rejects', () => {
  it('wraps the library error in a CoinError', () => {
    const { post_processor: _dropped, ...incomplete } = llamaStyleJson();
    assert.throws(
      () => new HfJsonTokenizer(incomplete as typeof incomplete & { model: object }),
      (e: unknown) => e instanceof CoinError && e.code === 'TOKENIZER.UNSUPPORTED',
    );
  });
});
