import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError } from '@coin/core';
import { trainByteLevelBpe } from '../tokenizer/bpe-train.js';
import { ByteLevelBpeTokenizer } from '../tokenizer/bpe-tokenizer.js';
import { englishLikeCorpus } from '../testing/test-corpus.js';
import {
  buildEvalPrompt,
  commonLeadingTokens,
  EVAL_SETTINGS,
  evalSharedPrefix,
  postprocessGeneration,
} from './eval-prompt.js';
import { IMAGE_SENTINEL_ID, tokenizeWithImage } from './image-tokens.js';
import { VICUNA_V1_SYSTEM } from './vicuna.js';

const tok = new ByteLevelBpeTokenizer(trainByteLevelBpe(englishLikeCorpus(300), { vocabSize: 500 }));

describe('evaluation prompt (docs/protocol.md#evaluation-runner)', () => {
  it('generic and loader runners prefix <image>\\n to the text as given', () => {
    const p = buildEvalPrompt(
      { question_id: 1, image: 'x.jpg', text: 'What is this?\nAnswer with one word.' },
      'generic',
      tok,
    );
    assert.equal(p.text, `${VICUNA_V1_SYSTEM} USER: <image>\nWhat is this?\nAnswer with one word. ASSISTANT:`);
    assert.equal(p.inputIds[0], tok.bosId);
    assert.equal(p.inputIds[p.imagePosition], IMAGE_SENTINEL_ID);
    assert.deepEqual(p.inputIds, tokenizeWithImage(p.text, tok));
  });

  it('the science runner strips <image> and re-adds it only for items with an image', () => {
    const withImage = buildEvalPrompt(
      { question_id: 'q', image: 'i.png', text: '<image>\nWhich? A. x B. y ' },
      'science',
      tok,
    );
    assert.equal(withImage.text, `${VICUNA_V1_SYSTEM} USER: <image>\nWhich? A. x B. y ASSISTANT:`);
    const textOnly = buildEvalPrompt({ question_id: 'q', text: '<image>\nWhich? A. x B. y' }, 'science', tok);
    assert.equal(textOnly.text, `${VICUNA_V1_SYSTEM} USER: Which? A. x B. y ASSISTANT:`);
    assert.equal(textOnly.imagePosition, -1);
    assert.ok(!textOnly.inputIds.includes(IMAGE_SENTINEL_ID));
  });

  it('refuses a text-only item in a runner that always feeds an image', () => {
    assert.throws(
      () => buildEvalPrompt({ question_id: 3, text: 'q' }, 'loader', tok),
      (e: unknown) => e instanceof CoinError && e.code === 'PROMPT.MISSING_IMAGE',
    );
  });

  it('evalSharedPrefix: every prompt of every runner starts with it, and it covers BOS, the system text and USER:', async () => {
    const { HfJsonTokenizer } = await import('../tokenizer/hf-tokenizer.js');
    const { llamaStyleJson } = await import('../testing/llama-fixture.js');
    const llama = new HfJsonTokenizer(llamaStyleJson(), { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' });
    const questions = ['Which is a mammal?\nA. trout\nB. cat', '42?', '  leading spaces', '"quoted"', 'ÿes', 'x'];
    for (const tokenizer of [tok, llama]) {
      const prefix = evalSharedPrefix(tokenizer);
      assert.equal(prefix[0], tokenizer.bosId);
      assert.match(tokenizer.decode(prefix, { skipSpecialTokens: true }), /^\s*A chat between .* USER:\s*$/s);
      for (const text of questions) {
        for (const p of [
          buildEvalPrompt({ question_id: 1, image: 'x.jpg', text }, 'generic', tokenizer),
          buildEvalPrompt({ question_id: 2, text }, 'science', tokenizer),
        ]) {
          assert.deepEqual(p.inputIds.slice(0, prefix.length), prefix, `${JSON.stringify(text)}: ${p.text.slice(-40)}`);
        }
      }
    }
  });

  it('commonLeadingTokens stops at the first difference, before an image, and leaves every prompt a token', () => {
    assert.deepEqual(
      commonLeadingTokens([
        [1, 5, 6, 7],
        [1, 5, 9],
      ]),
      [1, 5],
    );
    assert.deepEqual(
      commonLeadingTokens([
        [1, 5, IMAGE_SENTINEL_ID, 7],
        [1, 5, IMAGE_SENTINEL_ID, 8],
      ]),
      [1, 5],
    );
    assert.deepEqual(
      commonLeadingTokens([
        [1, 5, 6],
        [1, 5, 6, 7],
      ]),
      [1, 5],
    );
  });

  it('has the docs/protocol.md#evaluation-runner settings per task', () => {
    assert.deepEqual(EVAL_SETTINGS.ScienceQA, { runner: 'science', imageMode: 'crop', maxNewTokens: 1024 });
    assert.deepEqual(EVAL_SETTINGS.TextVQA, { runner: 'loader', imageMode: 'pad', maxNewTokens: 128 });
    assert.equal(EVAL_SETTINGS.Grounding.runner, 'generic');
  });
});

describe('postprocessGeneration', () => {
  it('decodes without special tokens and strips', () => {
    assert.equal(postprocessGeneration(tok, [...tok.encode('  The cube \n'), tok.eosId]), 'The cube');
  });

  it('removes a trailing </s> spelled out as text, then strips again', () => {
    const ids = [...tok.encode(' Yes '), ...tok.encode('<'), ...tok.encode('/s>')];
    assert.equal(tok.decode(ids), ' Yes </s>');
    assert.equal(postprocessGeneration(tok, ids), 'Yes');
    assert.equal(postprocessGeneration(tok, ids, false), 'Yes </s>');
  });
});
