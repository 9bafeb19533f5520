import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CoinError } from '@coin/core';
import { readPyJsonFile, readPyJsonLines } from '../io/read.js';
import { buildJudgePrompts, questionWithoutInstruction, renderJudgePrompts } from './prompts.js';
import { judgeRuleForTask } from './rules.js';
import { parseJudgeScoreCoin, parseJudgeScoreStrict, scoreJudgeLines } from './score.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const read = (...p: string[]): string => readFileSync(join(FIXTURES, ...p), 'utf8');

describe('judge prompts (create_prompt.py)', () => {
  const cases: Array<[string, string, 'CoIN' | 'CoIN_Grounding', string]> = [
    ['judge/prompts/test.json', 'judge/prompts/merge.jsonl', 'CoIN', 'prompt_to_eval.json'],
    ['grounding/test.json', 'grounding/merge.jsonl', 'CoIN_Grounding', 'prompt_to_eval.grounding.json'],
  ];
  for (const [test, merge, rule, expected] of cases) {
    it(`${rule}: byte-identical to the original's prompt_to_eval.json`, () => {
      const testItems = { value: readPyJsonFile(join(FIXTURES, test), 'test file'), src: { file: test } };
      const predictions = { file: merge, records: readPyJsonLines(join(FIXTURES, merge), 'result file') };
      assert.equal(
        renderJudgePrompts(buildJudgePrompts(testItems, predictions, rule)),
        read('judge/prompts/expected', expected),
      );
    });
  }

  it('drops the last line (the instruction); a one-line text leaves an empty question', () => {
    assert.equal(questionWithoutInstruction('Q?\nAnswer with one word.'), 'Q?');
    assert.equal(questionWithoutInstruction('only line'), '');
    assert.equal(questionWithoutInstruction('a\nb\n'), 'a\nb');
    assert.equal(judgeRuleForTask('Grounding'), 'CoIN_Grounding');
    assert.equal(judgeRuleForTask('GQA'), 'CoIN');
  });
});

describe('judge score (evaluate_score.py)', () => {
  it('coin: the same Prompt_Result.text and printed lines as the original', () => {
    const file = join(FIXTURES, 'judge/score/prompt_eval_merge.jsonl');
    const result = scoreJudgeLines(readPyJsonLines(file, 'judge'), 'coin', file);
    assert.equal(result.resultText, read('judge/score/expected/Prompt_Result.text'));
    assert.equal(result.unparsed.map((t) => `${t}\n`).join(''), read('judge/score/expected/stdout'));
  });

  // [judge text, coin value, strict value]
  const TABLE: Array<[string, number, number]> = [
    ['8', 8, 8],
    [' 7 ', 7, 7],
    ['10', 10, 10],
    ['11', 0, 0],
    ['-1', -1, 0],
    ['1_0', 10, 0],
    ['8/10', 8, 8],
    ['3/5', 3, 6],
    ['10/10', 10, 10],
    ['x/10', 0, 0],
    ['Score: 7', 7, 7],
    ['10 points', 1, 10],
    ['0 out of 10', 1, 0],
    ['0', 0, 0],
    ['+.5', 0.5, 0.5],
    ['1e1', 10, 0],
    ['\uff11\uff10', 10, 0],
    ['\u0668', 8, 0],
    ['inf', 0, 0],
    ['1,5', 1, 1],
    ['no idea', 0, 0],
  ];
  for (const [text, coin, strict] of TABLE) {
    it(`${JSON.stringify(text)} → coin ${coin}, strict ${strict}`, () => {
      assert.equal(parseJudgeScoreCoin(text).value, coin);
      assert.equal(parseJudgeScoreStrict(text).value, strict);
    });
  }

  it('nan parses as a float but adds nothing; -inf makes the original crash in round()', () => {
    assert.equal(parseJudgeScoreCoin('nan').value, 0);
    const records = [{ value: new Map([['text', '-inf']]), src: { file: 'f', line: 1 } }];
    assert.throws(
      () => scoreJudgeLines(records, 'coin', 'f'),
      (e: unknown) => e instanceof CoinError && /OverflowError/.test(e.describe()),
    );
    assert.equal(scoreJudgeLines(records, 'strict', 'f').score, 0);
  });

  it('an isnumeric() part that float() rejects crashes the original (ValueError): coin reports it, strict does not', () => {
    for (const t of ['\u00bd/10', '\u00b2/3', '\u4e94/10']) {
      assert.throws(
        () => parseJudgeScoreCoin(t),
        (e: unknown) => e instanceof CoinError && /ValueError/.test(e.describe()),
      );
      assert.equal(parseJudgeScoreStrict(t).value, 0);
    }
  });

  it('rounds half to even on the exact value: 12.5 → 12, 13.5 → 14', () => {
    const lines = (texts: string[]) =>
      texts.map((t, k) => ({ value: new Map([['text', t]]), src: { file: 'f', line: k + 1 } }));
    // 8 lines: Σ = 10 → 100·10/80 = 12.5
    assert.equal(scoreJudgeLines(lines(['10', '0', '0', '0', '0', '0', '0', '0']), 'coin', 'f').score, 12);
    // Σ = 10.8 → 13.5
    const r = scoreJudgeLines(lines(['10', '0.8', '0', '0', '0', '0', '0', '0']), 'coin', 'f');
    assert.equal(r.scoreFull, 13.5);
    assert.equal(r.score, 14);
    assert.throws(() => scoreJudgeLines([], 'coin', 'f'), /no lines/);
  });
});
