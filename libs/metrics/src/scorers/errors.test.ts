/** Bad input gives a CoinError naming file and line (exit code 2), never a stack trace. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CoinError, exitCodeFor } from '@coin/core';
import { scoreTaskFromFiles } from './run.js';
import type { Fidelity, TaskName } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'coin-metrics-errors-'));
function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** assert.throws validator that matches the message and hint as the CLI prints them. */
const described =
  (pattern: RegExp) =>
  (e: unknown): boolean =>
    e instanceof CoinError && pattern.test(e.describe());

const vizwizAnn = file(
  'vizwiz.json',
  JSON.stringify([
    { question_id: 'a.jpg', answer: 'yes' },
    { question_id: 'b.jpg', answer: 'no' },
  ]),
);

function expectBadInput(
  task: TaskName,
  resultContent: string,
  pattern: RegExp,
  fidelity: Fidelity = 'coin',
  ann = vizwizAnn,
): CoinError {
  const result = file(`r-${Math.random()}.jsonl`, resultContent);
  try {
    scoreTaskFromFiles(task, { annotationFile: ann, testFile: ann, resultFile: result }, fidelity);
  } catch (e) {
    assert.ok(e instanceof CoinError, String(e));
    assert.equal(exitCodeFor(e), 2);
    assert.match(e.describe(), pattern);
    return e;
  }
  assert.fail('expected a CoinError');
}

describe('scorer input errors', () => {
  it('names the file and line of a malformed JSONL line', () => {
    const e = expectBadInput(
      'VizWiz',
      '{"question_id": "a.jpg", "text": "yes"}\n{"question_id": "b.jpg", "text": \n',
      /r-.*\.jsonl:2: not valid JSON/,
    );
    assert.equal(e.details.line, 2);
  });

  it('reports a blank line like Python (coin) but skips it in strict', () => {
    expectBadInput(
      'VizWiz',
      '{"question_id": "a.jpg", "text": "yes"}\n\n{"question_id": "b.jpg", "text": "no"}\n',
      /:2: a blank line/,
    );
    const result = file(
      'blank.jsonl',
      '{"question_id": "a.jpg", "text": "yes"}\n\n{"question_id": "b.jpg", "text": "no"}\n',
    );
    assert.equal(
      scoreTaskFromFiles('VizWiz', { annotationFile: vizwizAnn, resultFile: result }, 'strict').accuracy,
      100,
    );
  });

  it('says which id is missing and what the original does', () => {
    expectBadInput(
      'VizWiz',
      '{"question_id": "zzz.jpg", "text": "yes"}\n',
      /:1: question_id zzz\.jpg is not in the annotation file.*\n.*hint:.*KeyError/,
    );
  });

  it('an int id does not match a string id for VizWiz (the original crashes too)', () => {
    const ann = file('int-ids.json', JSON.stringify([{ question_id: '1', answer: 'yes' }]));
    expectBadInput('VizWiz', '{"question_id": 1, "text": "yes"}\n', /question_id 1 is not in/, 'coin', ann);
  });

  it('an empty prediction file is a clear error (ZeroDivisionError in the original)', () => {
    expectBadInput('VizWiz', '', /no lines.*\n.*ZeroDivisionError/);
  });

  it('a missing file is a usage error naming the path', () => {
    assert.throws(
      () => scoreTaskFromFiles('VizWiz', { annotationFile: join(dir, 'nope.json'), resultFile: vizwizAnn }),
      (e: unknown) => e instanceof CoinError && /nope\.json \(ENOENT\)/.test(e.message) && exitCodeFor(e) === 2,
    );
  });

  it('a prediction without "text" names the field', () => {
    expectBadInput('VizWiz', '{"question_id": "a.jpg"}\n', /:1: the prediction has no "text" field/);
  });

  it('TextVQA needs exactly 10 human answers', () => {
    const ann = file('tv.json', JSON.stringify({ data: [{ question_id: 7, answers: ['a', 'b'] }] }));
    const result = file('tv.jsonl', '{"question_id": 7, "text": "a"}\n');
    assert.throws(
      () => scoreTaskFromFiles('TextVQA', { annotationFile: ann, resultFile: result }),
      /has 2 answers; the VQA soft accuracy needs exactly 10/,
    );
  });

  it('ImageNet with more predictions than test items fails (scored by position)', () => {
    const test = file('in.json', JSON.stringify([{ question_id: 'x', answer: 'Dog' }]));
    const result = file('in.jsonl', '{"question_id": "x", "text": "Dog"}\n{"question_id": "y", "text": "Cat"}\n');
    assert.throws(
      () => scoreTaskFromFiles('ImageNet', { testFile: test, resultFile: result }),
      described(/:2: .*more lines than the test file.*\n.*IndexError/),
    );
  });

  it('GQA with no balanced, grouped question is a ZeroDivisionError in coin, Distribution 0 in strict', () => {
    const qs = file(
      'gqa.json',
      JSON.stringify({
        '1': {
          answer: 'yes',
          question: 'Is it?',
          isBalanced: false,
          types: { structural: 'verify', semantic: 'attr' },
          groups: { global: null },
          semantic: [],
        },
      }),
    );
    const result = file('gqa.jsonl', '{"question_id": "1", "text": "yes"}\n');
    assert.throws(
      () => scoreTaskFromFiles('GQA', { annotationFile: qs, resultFile: result }),
      described(/distribution score is undefined.*\n.*ZeroDivisionError/),
    );
    const report = scoreTaskFromFiles('GQA', { annotationFile: qs, resultFile: result }, 'strict');
    assert.match(report.stdout, /Distribution: 0\.00 \(lower is better\)/);
  });
});
