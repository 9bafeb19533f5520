import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions } from './rubric-options.js';
import { rubricScore, type RubricRule } from './rubric-score.js';
import { rubricTokens } from './rubric-text.js';

const SQA_LINES = 'Which animal is a mammal?\nContext: Look at the picture.\nA. frog\nB. dog\nC. dark red fish';
const SQA_INLINE = 'Which animal is a mammal? Options: (A) frog (B) dog (C) dark red fish';
const COLOR = 'What color is the cube?';
const BOX = '[0.10, 0.20, 0.50, 0.60]';

// [question, ground truth, answer, expected score, deciding rule]
const CASES: Array<[string, string, string, number, RubricRule]> = [
  // option letter vs option text, both ways, both layouts
  [SQA_LINES, 'B', 'B', 10, 'option'],
  [SQA_LINES, 'B', 'dog', 10, 'option'],
  [SQA_LINES, 'B', 'The answer is (B).', 10, 'option'],
  [SQA_LINES, 'B', 'B. dog', 10, 'option'],
  [SQA_LINES, 'B', 'b', 10, 'option'],
  [SQA_LINES, 'B', 'A dog is a mammal.', 10, 'option'],
  [SQA_LINES, 'B', 'A', 0, 'option'],
  [SQA_LINES, 'B', 'frog', 0, 'option'],
  [SQA_LINES, 'dog', 'B', 10, 'option'],
  [SQA_LINES, 'C', 'the dark red fish', 10, 'option'],
  [SQA_INLINE, 'B', 'dog', 10, 'option'],
  [SQA_INLINE, 'C', '(C)', 10, 'option'],
  [SQA_INLINE, 'C', 'Option A', 0, 'option'],
  // naming two options is a hedge; naming none compares the text with the right option's
  [SQA_LINES, 'B', 'a dog or a frog', 0, 'option'],
  [SQA_LINES, 'C', 'a red fish', 8, 'token-f1'],
  [SQA_LINES, 'B', 'a cat', 0, 'token-f1'],
  // verbose vs short
  [COLOR, 'red cube', 'The answer is a red cube.', 10, 'contained'],
  [COLOR, 'red cube', 'Red Cube', 10, 'exact'],
  [COLOR, 'red', 'It is red, blue, green, yellow, orange and purple.', 3, 'token-f1'],
  [COLOR, 'red', 'blue', 0, 'token-f1'],
  // partial overlap: F1 × 10
  ['Who wrote this book?', 'Charles Dickens', 'Dickens', 7, 'token-f1'],
  ['What is it?', 'Dandie dinmont terrier', 'dandie dinmont', 8, 'token-f1'],
  // class names in another case
  ['What is the object in the image?', 'Castle', 'castle', 10, 'exact'],
  // numbers: digits, number words, decimals, other numbers
  ['How many?', '2', 'two', 10, 'number'],
  ['How many?', 'two', 'There are 2 dogs.', 10, 'number'],
  ['How many?', '21', 'twenty-one', 10, 'number'],
  ['How many?', '1,000', '1000', 10, 'number'],
  ['How many?', '2', '3', 0, 'number'],
  ['How many?', '2', '2 dogs and 3 cats', 3, 'token-f1'],
  // yes / no
  ['Is it on the left?', 'yes', 'Yes, it is on the left.', 10, 'yes/no'],
  ['Is it on the left?', 'no', 'Yes, there is no doubt.', 0, 'yes/no'],
  // empty and unanswerable
  [COLOR, 'red', '', 0, 'empty'],
  [COLOR, 'red', ' . ', 0, 'empty'],
  [COLOR, 'unanswerable', 'Unanswerable', 10, 'unanswerable'],
  [COLOR, 'unanswerable', "I can't tell from this image.", 10, 'unanswerable'],
  [COLOR, 'unanswerable', 'red', 0, 'unanswerable'],
  [COLOR, 'red', 'unanswerable', 0, 'unanswerable'],
  // boxes: IoU mapped to 0-10
  ['left zebra', BOX, '[0.10, 0.20, 0.50, 0.60]', 10, 'box'],
  ['left zebra', BOX, 'The box is (0.1,0.2,0.5,0.6).', 10, 'box'],
  ['left zebra', BOX, '[0.10, 0.20, 0.30, 0.60]', 5, 'box'],
  ['left zebra', BOX, '[0.60, 0.70, 0.90, 0.90]', 0, 'box'],
  ['left zebra', BOX, 'the zebra on the left', 0, 'box'],
  ['left zebra', BOX, '[0.50, 0.60, 0.10, 0.20]', 0, 'box'],
];

describe('rubric score', () => {
  for (const [question, groundTruth, answer, score, by] of CASES) {
    it(`${JSON.stringify(answer)} for ${JSON.stringify(groundTruth)} → ${score} (${by})`, () => {
      const rule = groundTruth === BOX ? 'CoIN_Grounding' : 'CoIN';
      assert.deepEqual(rubricScore({ question, groundTruth, answer, rule }), { score, by });
    });
  }

  it('reads a box ground truth under the CoIN rule too', () => {
    assert.equal(rubricScore({ question: 'q', groundTruth: BOX, answer: BOX, rule: 'CoIN' }).by, 'box');
  });
});

describe('rubric options and tokens', () => {
  it('reads options per line, inline and parenthesised; needs A, B, … in order', () => {
    assert.deepEqual(
      [...parseOptions(SQA_LINES)],
      [
        ['A', 'frog'],
        ['B', 'dog'],
        ['C', 'dark red fish'],
      ],
    );
    assert.deepEqual(
      [...parseOptions('Pick one: A. cat  B. dog\nAnswer.')],
      [
        ['A', 'cat'],
        ['B', 'dog'],
      ],
    );
    assert.deepEqual(
      [...parseOptions(SQA_INLINE)],
      [
        ['A', 'frog'],
        ['B', 'dog'],
        ['C', 'dark red fish'],
      ],
    );
    assert.equal(parseOptions('Is vitamin B. good? C. is a letter').size, 0);
    assert.equal(parseOptions('What color is the bus?').size, 0);
  });

  it('normalises case, punctuation, articles, apostrophes and number words', () => {
    assert.deepEqual(rubricTokens('The answer is: An apple, 2.0 and TWENTY-one!'), [
      'answer',
      'is',
      'apple',
      '2',
      'and',
      '21',
    ]);
    assert.deepEqual(rubricTokens("Can't tell... 3.5"), ['cant', 'tell', '3.5']);
  });
});
