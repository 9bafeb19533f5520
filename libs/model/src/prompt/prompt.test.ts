import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoinError, Rng } from '@coin/core';
import { type TrainRecord } from '@coin/data';
import { trainByteLevelBpe } from '../tokenizer/bpe-train.js';
import { ByteLevelBpeTokenizer } from '../tokenizer/bpe-tokenizer.js';
import { HfJsonTokenizer } from '../tokenizer/hf-tokenizer.js';
import { llamaStyleJson } from '../testing/llama-fixture.js';
import { englishLikeCorpus } from '../testing/test-corpus.js';
import { type Tokenizer } from '../tokenizer/tokenizer.js';
import { IGNORE_INDEX, IMAGE_SENTINEL_ID, tokenizeWithImage } from './image-tokens.js';
import { buildTrainingSample, type TrainingSample } from './training-sample.js';
import { moveImageTokenToFront, renderedConversations, renderVicunaV1, VICUNA_V1_SYSTEM } from './vicuna.js';

const ours: Tokenizer = new ByteLevelBpeTokenizer(
  trainByteLevelBpe([...englishLikeCorpus(800), VICUNA_V1_SYSTEM, 'USER: ASSISTANT:'], { vocabSize: 700 }),
);
const llama: Tokenizer = new HfJsonTokenizer(llamaStyleJson(), {
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: '<unk>',
});

const record = (human: string, answer: string, image = true): TrainRecord => ({
  id: 'r1',
  ...(image ? { image: 'a.png' } : {}),
  conversations: [
    { from: 'human', value: human },
    { from: 'gpt', value: answer },
  ],
});

/** The text the loss sees: decode of every labelled position. */
const labelledText = (tok: Tokenizer, s: TrainingSample): string =>
  tok.decode(s.labels.filter((l) => l !== IGNORE_INDEX));

describe('vicuna_v1 rendering (docs/protocol.md#prompt-format-and-loss-masking)', () => {
  it('renders the single-turn training string and the open eval turn', () => {
    assert.equal(
      renderVicunaV1(['<image>\nWhat is it?', 'A cat'], '</s>'),
      `${VICUNA_V1_SYSTEM} USER: <image>\nWhat is it? ASSISTANT: A cat</s>`,
    );
    assert.equal(renderVicunaV1(['<image>\nQ', null], '</s>'), `${VICUNA_V1_SYSTEM} USER: <image>\nQ ASSISTANT:`);
    assert.equal(
      renderVicunaV1(['q1', 'a1', 'q2', 'a2'], '</s>'),
      `${VICUNA_V1_SYSTEM} USER: q1 ASSISTANT: a1</s>USER: q2 ASSISTANT: a2</s>`,
    );
  });

  it('moves <image> to the front wherever it is, then strips (docs/file-formats.md#training-records)', () => {
    assert.equal(moveImageTokenToFront('What colour is it?\n<image>'), '<image>\nWhat colour is it?');
    assert.equal(moveImageTokenToFront('  Is <image> this\u0085 '), '<image>\nIs  this');
    assert.equal(moveImageTokenToFront('no image here '), 'no image here ');
  });
});

describe('buildTrainingSample', () => {
  for (const [name, tok] of [
    ['byte-level BPE', ours],
    ['LLaMA-style tokenizer.json', llama],
  ] as const) {
    it(`${name}: single BOS, one sentinel, loss only on the answer and </s>`, () => {
      const s = buildTrainingSample(record('What is the colour of the cube? <image>', 'red'), tok);
      assert.equal(s.inputIds[0], tok.bosId);
      assert.equal(s.inputIds.filter((id) => id === tok.bosId).length, 1);
      assert.equal(s.inputIds.filter((id) => id === IMAGE_SENTINEL_ID).length, 1);
      assert.equal(s.imagePosition, tokenizeWithImage(`${VICUNA_V1_SYSTEM} USER: `, tok).length);
      assert.equal(s.inputIds.at(-1), tok.eosId);
      assert.equal(s.labels.at(-1), tok.eosId);
      assert.equal(s.mismatch, false);
      // The answer's leading space belongs to its first token (Ġred / ▁red); LLaMA's decoder
      // strips the leading space of the decoded text.
      assert.equal(labelledText(tok, s), tok === ours ? ' red</s>' : 'red</s>');
      // Labels equal the ids on every unmasked position.
      s.labels.forEach((l, i) => assert.ok(l === IGNORE_INDEX || l === s.inputIds[i]));
    });
  }

  it('text-only samples have no sentinel and keep the text as is', () => {
    const s = buildTrainingSample(record('Which is larger? A. 2 B. 17', 'B', false), ours);
    assert.equal(s.imagePosition, -1);
    assert.ok(!s.inputIds.includes(IMAGE_SENTINEL_ID));
    assert.equal(labelledText(ours, s), ' B</s>');
    assert.ok(s.text.startsWith(`${VICUNA_V1_SYSTEM} USER: Which is larger?`));
  });

  it('masks every round of a multi-turn conversation', () => {
    const rec: TrainRecord = {
      id: 'm',
      image: 'x.png',
      conversations: [
        { from: 'gpt', value: 'dropped: a conversation must start with the human' },
        { from: 'human', value: '<image>\nq1' },
        { from: 'gpt', value: 'a1' },
        { from: 'human', value: 'q2' },
        { from: 'gpt', value: 'a2' },
      ],
    };
    const s = buildTrainingSample(rec, ours);
    assert.equal(labelledText(ours, s), ' a1</s> a2</s>');
    assert.equal(buildTrainingSample(rec, ours, { answerSpanRule: 'llava' }).labels.join(), s.labels.join());
  });

  it('the LLaVA −2 rule and the prefix rule agree on CoIN-like samples for both tokenizers', () => {
    const rng = new Rng(4);
    const answers = ['A', 'B.', 'red', 'Yes', '[0.12, 0.34, 0.56, 0.78]', 'golden retriever', '42', "it's 3"];
    for (const [i, question] of englishLikeCorpus(150, 8).entries()) {
      const answer = rng.pick(answers);
      const rec = record(i % 3 === 0 ? question : `${question}\n<image>`, answer, i % 5 !== 0);
      for (const tok of [ours, llama]) {
        const prefix = buildTrainingSample(rec, tok);
        const llava = buildTrainingSample(rec, tok, { answerSpanRule: 'llava' });
        assert.equal(prefix.mismatch, false, question);
        assert.deepEqual(llava.labels, prefix.labels, `${question} → ${answer}`);
      }
    }
  });

  it('the LLaVA −2 rule is off by one for a tokenizer that drops the trailing space', () => {
    // Every piece of HF's Whitespace pre-tokenizer (\w+ | [^\w\s]+) in the vocabulary: no unk (= pad) ids.
    const words = [...new Set(`${VICUNA_V1_SYSTEM} USER ASSISTANT : Q red`.match(/\w+|[^\w\s]+/g))];
    const vocab = Object.fromEntries(['<unk>', '<s>', '</s>', ...words].map((w, i) => [w, i]));
    const special = (id: number, content: string) => ({ id, content, special: true, normalized: false });
    const wordLevel = new HfJsonTokenizer(
      {
        added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
        normalizer: null,
        pre_tokenizer: { type: 'Whitespace' },
        post_processor: null,
        decoder: null,
        model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
      },
      { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' },
    );
    const rec = record('Q', 'red', false);
    const prefix = buildTrainingSample(rec, wordLevel);
    const llava = buildTrainingSample(rec, wordLevel, { answerSpanRule: 'llava' });
    assert.deepEqual(
      prefix.labels.filter((l) => l !== IGNORE_INDEX),
      [vocab.red, 2],
    );
    assert.deepEqual(
      llava.labels.filter((l) => l !== IGNORE_INDEX),
      [vocab[':'], vocab.red, 2],
    );
  });

  it('ignores the whole sample with a warning when the bookkeeping disagrees', () => {
    // A literal "</s>" inside the answer splits the round in two: LLaVA's count then misses tokens.
    const warnings: string[] = [];
    for (const rule of ['prefix', 'llava'] as const) {
      const s = buildTrainingSample(record('<image>\nQ', 'a</s>b'), ours, {
        answerSpanRule: rule,
        onWarning: (m) => warnings.push(m),
      });
      assert.equal(s.mismatch, true);
      assert.ok(s.labels.every((l) => l === IGNORE_INDEX));
    }
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /tokenization mismatch: \d+ vs\. \d+\. \(ignored\) \[record r1\]/);
    // LLaVA skips the check once the count reaches model_max_length.
    const long = buildTrainingSample(record('<image>\nQ', 'a</s>b'), ours, { maxLength: 8 });
    assert.equal(long.mismatch, false);
  });

  it('counts the length LLaVA checks without pad (= unk) ids, so a literal <unk> in the text flags the sample', () => {
    const s = buildTrainingSample(record('<image>\nWhat is <unk> here?', 'red'), ours);
    assert.ok(s.inputIds.includes(ours.padId), 'the text holds the unk/pad id');
    assert.equal(s.mismatch, true);
    assert.ok(s.labels.every((l) => l === IGNORE_INDEX));
  });

  it('refuses conversations whose roles do not alternate', () => {
    const bad: TrainRecord = {
      id: 7,
      conversations: [
        { from: 'human', value: 'q' },
        { from: 'human', value: 'q' },
      ],
    };
    assert.throws(
      () => buildTrainingSample(bad, ours),
      (e: unknown) =>
        e instanceof CoinError && e.code === 'PROMPT.BAD_CONVERSATION' && /record 7: turn 1/.test(e.message),
    );
  });
});

describe('renderedConversations', () => {
  it('renders records for a tokenizer corpus', () => {
    assert.deepEqual(
      [...renderedConversations([record('Q? <image>', 'A')])],
      [`${VICUNA_V1_SYSTEM} USER: <image>\nQ? ASSISTANT: A</s>`],
    );
  });
});
