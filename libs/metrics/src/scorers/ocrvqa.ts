/**
 * OCR-VQA (docs/protocol.md#scorer-ocrvqa): correct iff the lower-cased output equals the lower-cased answer.
 * coin: outputs containing "Unanswerable" are skipped (still in the denominator) and the printed
 *   sample count is always 0 (it prints the length of a list that is never filled).
 * strict (BUG? fixes): no skip; the real sample count is printed.
 */
import { field, hashKey, indexByQuestionId, strField } from '../io/access.js';
import { badInput } from '../io/errors.js';
import { pyStr } from '../python/json.js';
import { requireNonEmpty, samplesAccuracyReport } from './common.js';
import type { Fidelity, ItemVerdict, JsonDoc, Predictions, ScoreReport } from './types.js';
import { pyLower } from '../python/unicode14.js';

export interface OcrVqaInput {
  readonly annotations: JsonDoc;
  readonly predictions: Predictions;
  readonly fidelity?: Fidelity;
}

export function scoreOcrVqa(input: OcrVqaInput): ScoreReport {
  const fidelity = input.fidelity ?? 'coin';
  const { src } = input.annotations;
  const byId = indexByQuestionId(input.annotations.value, src, 'the annotation file', 'annotation', (id) =>
    hashKey(id, src, 'question_id'),
  );

  const records = input.predictions.records;
  let right = 0;
  const verdicts: ItemVerdict[] = [];
  for (const rec of records) {
    const qid = field(rec.value, 'question_id', rec.src, 'the prediction');
    const id = pyStr(qid);
    const ann = byId.get(hashKey(qid, rec.src, 'question_id'));
    if (ann === undefined)
      throw badInput(
        rec.src,
        `question_id ${id} is not in the annotation file ${src.file}`,
        'crash with KeyError',
        'is this an OCR-VQA prediction file?',
      );
    const truthValue = field(ann, 'answer', src, `annotation ${id}`);
    const text = strField(rec.value, 'text', rec.src, 'the prediction');
    if (fidelity === 'coin' && text.includes('Unanswerable')) {
      verdicts.push({
        id,
        prediction: text,
        expected: pyStr(truthValue),
        score: 0,
        note: 'skipped: contains "Unanswerable"',
      });
      continue;
    }
    const truth = strField(ann, 'answer', src, `annotation ${id}`);
    const ok = pyLower(text) === pyLower(truth);
    if (ok) right += 1;
    verdicts.push({ id, prediction: text, expected: truth, score: ok ? 1 : 0 });
  }
  requireNonEmpty(records.length, { file: input.predictions.file });
  const accuracy = (100 * right) / records.length;
  return samplesAccuracyReport({
    task: 'OCRVQA',
    fidelity,
    samples: records.length,
    printed: fidelity === 'coin' ? 0 : records.length,
    correct: right,
    accuracy,
    verdicts,
  });
}
