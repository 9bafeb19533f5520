/**
 * ImageNet (docs/protocol.md#scorer-imagenet).
 * coin: the i-th prediction line is compared with the i-th test item (order, not question_id), and
 *   it is correct if the answer is a substring of the output or the output a substring of the
 *   answer (case-sensitive; an empty output is therefore always correct). Result.text = the two
 *   summary lines followed by the wrong predictions as an indent-4 JSON array.
 * strict (BUG? fixes): predictions are matched to test items by question_id, and an output is
 *   correct iff, stripped of surrounding whitespace and trailing periods, it equals the answer
 *   ignoring case (no substring rule, an empty output is wrong).
 */
import { asList, field, strField } from '../io/access.js';
import { badInput } from '../io/errors.js';
import { dumpPyJson, pyStr, type PyDict, type PyValue } from '../python/json.js';
import { stripAnswer } from '../python/text.js';
import { requireNonEmpty, samplesAccuracyReport } from './common.js';
import type { Fidelity, ItemVerdict, JsonDoc, Predictions, ScoreReport } from './types.js';
import { pyUpper } from '../python/unicode14.js';

export interface ImageNetInput {
  readonly testItems: JsonDoc;
  readonly predictions: Predictions;
  readonly fidelity?: Fidelity;
}

function strictNormalize(s: string): string {
  return pyUpper(stripAnswer(s));
}

/** strict: the cleaned, upper-cased output is non-empty and equals the cleaned answer. */
function strictMatch(text: string, answer: string): boolean {
  const t = strictNormalize(text);
  return t !== '' && t === strictNormalize(answer);
}

export function scoreImageNet(input: ImageNetInput): ScoreReport {
  const fidelity = input.fidelity ?? 'coin';
  const { src } = input.testItems;
  const items = asList(input.testItems.value, src, 'the test file');
  const answers = items.map((t, k) => field(t, 'answer', src, `test item #${k}`));
  const byId = new Map<string, number>();
  if (fidelity === 'strict') {
    items.forEach((t, k) => byId.set(pyStr(field(t, 'question_id', src, `test item #${k}`)), k));
  }

  const records = input.predictions.records;
  requireNonEmpty(records.length, { file: input.predictions.file });
  let right = 0;
  const wrong: PyValue[] = [];
  const verdicts: ItemVerdict[] = [];
  records.forEach((rec, index) => {
    let k = index;
    if (fidelity === 'strict') {
      const id = pyStr(field(rec.value, 'question_id', rec.src, 'the prediction'));
      const found = byId.get(id);
      if (found === undefined)
        throw badInput(
          rec.src,
          `question_id ${id} is not in the test file ${src.file}`,
          undefined,
          'is this an ImageNet prediction file?',
        );
      k = found;
    } else if (index >= answers.length) {
      throw badInput(
        rec.src,
        `the prediction file has more lines than the test file has items (${answers.length}); ImageNet is scored by position`,
        'crash with IndexError',
      );
    }
    const answer = answers[k];
    const text = strField(rec.value, 'text', rec.src, 'the prediction');
    if (typeof answer !== 'string')
      throw badInput(src, `the answer of test item #${k} is not a string`, 'crash with TypeError');
    const ok = fidelity === 'coin' ? answer.includes(text) || text.includes(answer) : strictMatch(text, answer);
    if (ok) right += 1;
    else {
      const label = new Map(rec.value as PyDict); // the record as read, with ground_truth added (or replaced in place)
      label.set('ground_truth', answer);
      wrong.push(label);
    }
    const qid = (rec.value as PyDict).get('question_id');
    verdicts.push({
      id: qid === undefined ? String(index) : pyStr(qid),
      prediction: text,
      expected: answer,
      score: ok ? 1 : 0,
    });
  });
  const accuracy = (100 * right) / records.length;
  return samplesAccuracyReport({
    task: 'ImageNet',
    fidelity,
    samples: records.length,
    correct: right,
    accuracy,
    verdicts,
    resultSuffix: dumpPyJson(wrong, 4),
  });
}
