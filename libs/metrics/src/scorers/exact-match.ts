/**
 * VizWiz and VQAv2 (docs/protocol.md#scorer-vizwiz-and-vqav2): correct iff the output equals the single `answer` of the CoIN
 * test file after upper-casing both (Python's `str.upper`); no trimming, no soft accuracy. VizWiz
 * looks the prediction's question_id up as is (an int id does not match a string one: the original
 * crashes), VQAv2 compares ids as `str()`. Both fidelities behave the same (no BUG? item).
 */
import { field, hashKey, indexByQuestionId, strField } from '../io/access.js';
import { badInput, type Source } from '../io/errors.js';
import { pyStr, type PyValue } from '../python/json.js';
import { requireNonEmpty, samplesAccuracyReport } from './common.js';
import type { Fidelity, ItemVerdict, JsonDoc, Predictions, ScoreReport } from './types.js';
import { pyUpper } from '../python/unicode14.js';

export interface ExactMatchInput {
  readonly annotations: JsonDoc;
  readonly predictions: Predictions;
  readonly fidelity?: Fidelity;
}

function scoreExactMatch(task: 'VizWiz' | 'VQAv2', input: ExactMatchInput): ScoreReport {
  const fidelity = input.fidelity ?? 'coin';
  const { src } = input.annotations;
  const keyOf = (v: PyValue, at: Source): string => (task === 'VQAv2' ? `s${pyStr(v)}` : hashKey(v, at, 'question_id'));
  const byId = indexByQuestionId(input.annotations.value, src, 'the annotation file', 'annotation', (id) =>
    keyOf(id, src),
  );

  const records = input.predictions.records;
  let right = 0;
  const verdicts: ItemVerdict[] = [];
  for (const rec of records) {
    const qid = field(rec.value, 'question_id', rec.src, 'the prediction');
    const ann = byId.get(keyOf(qid, rec.src));
    if (ann === undefined) {
      throw badInput(
        rec.src,
        `question_id ${pyStr(qid)} is not in the annotation file ${src.file}`,
        'crash with KeyError',
        `is this a ${task} prediction file, scored against the ${task} test file?`,
      );
    }
    const pred = strField(rec.value, 'text', rec.src, 'the prediction');
    const truth = strField(ann, 'answer', src, `annotation ${pyStr(qid)}`);
    const ok = pyUpper(pred) === pyUpper(truth);
    if (ok) right += 1;
    verdicts.push({ id: pyStr(qid), prediction: pred, expected: truth, score: ok ? 1 : 0 });
  }
  requireNonEmpty(records.length, { file: input.predictions.file });
  const accuracy = (100 * right) / records.length;
  return samplesAccuracyReport({ task, fidelity, samples: records.length, correct: right, accuracy, verdicts });
}

export function scoreVizWiz(input: ExactMatchInput): ScoreReport {
  return scoreExactMatch('VizWiz', input);
}

export function scoreVqav2(input: ExactMatchInput): ScoreReport {
  return scoreExactMatch('VQAv2', input);
}
