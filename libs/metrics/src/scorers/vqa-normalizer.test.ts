import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeVqaAnswer, vqaSoftScore } from './vqa-normalizer.js';

// [raw answer, EvalAIAnswerProcessor()(raw) as computed by CoIN's m4c_evaluator under CPython 3.11]
const NORMALIZED: Array<[string, string]> = [
  ['Coca-Cola', 'coca cola'],
  ['coca-cola.', 'coca cola'],
  ['Coca Cola.', 'coca cola'],
  ['the coca cola', 'coca cola'],
  ['coca, cola', 'coca cola'],
  ["dog's bowl", "dog 's bowl"], // the 's split
  ['dogs bowl', 'dogs bowl'],
  ['Im', 'im'], // capitalised contraction keys never match lower-cased text
  ['im', 'im'],
  ["I'm", "i'm"],
  ['Ive', 'ive'],
  ['dont', "don't"],
  ['isnt', "isn't"],
  ["somebody'd", 'somebodyd'], // the table maps it the "wrong" way round
  ['Ten.', '10'],
  ['none', '0'],
  ['a dog', 'dog'],
  ['an apple', 'apple'],
  ['3.5', '3.5'],
  ['3.', '3'],
  ['3 .5', '3 .5'], // a period before a digit stays
  ['x-ray', 'x ray'],
  ['a / b', 'b'], // "/" next to a space is deleted ("a" then drops as an article)
  ['a/b', 'b'],
  ['(c)', 'c'],
  ['e.g.', 'eg'],
  ['1,000', '1000'],
  ['what?', 'what'],
  ['hello!', 'hello'],
  ['tab\there', 'tab here'],
  ['ß', 'ß'],
];

describe('EvalAI answer normaliser (TextVQA)', () => {
  for (const [raw, expected] of NORMALIZED) {
    it(`${JSON.stringify(raw)} → ${JSON.stringify(expected)}`, () => assert.equal(normalizeVqaAnswer(raw), expected));
  }

  it('removes only the first 32 periods (re.UNICODE passed as the count)', () => {
    const text = `${'a.'.repeat(35)}b`;
    assert.equal(normalizeVqaAnswer(text), `${'a'.repeat(32)}${'a.'.repeat(3)}b`);
  });

  it('treats any Unicode decimal digit as a digit in the period rule', () => {
    assert.equal(normalizeVqaAnswer('x.\u0663'), 'x.\u0663');
    assert.equal(normalizeVqaAnswer('x.y'), 'xy');
  });
});

describe('VQA soft accuracy', () => {
  it('averages min(1, matches/3) over the 10 leave-one-out subsets (values as CPython computes them)', () => {
    const ten = (k: number, other = 'no'): string[] => [...Array(k).fill('yes'), ...Array(10 - k).fill(other)];
    assert.equal(vqaSoftScore('yes', ten(1)), 0.3); // 9 subsets with 1 match (1/3), one with 0: 3/10
    assert.equal(vqaSoftScore('yes', ten(2)), 0.6);
    assert.equal(vqaSoftScore('yes', ten(3)), 0.9);
    assert.equal(vqaSoftScore('yes', ten(4)), 1);
    assert.equal(vqaSoftScore('maybe', ten(4)), 0);
  });
});
