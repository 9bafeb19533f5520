/**
 * Grounding / RefCOCO (docs/protocol.md#scorer-grounding). The ground truth `answer_bbox` loses its brackets and is split
 * on commas into floats (Python `float()`: spaces, `_` between digits, "nan", "inf" all accepted).
 * Both boxes are multiplied by max(size) (Python's max: the first largest element) before the IoU,
 * so floating point decides ties at IoU = 0.5 exactly as in the original. Correct iff IoU > 0.5.
 * An output that does not parse into 4 numbers is skipped but stays in the denominator.
 * coin: after removing the brackets the first and the last character are dropped too (BUG?:
 *   "[0.12, 0.34, 0.56, 0.78]" is read as .12, 0.34, 0.56, 0.7).
 * strict: only the brackets are removed.
 * min/max follow Python's builtins (the first argument wins unless the second compares
 * greater/less), which differs from Math.min/Math.max when a coordinate is NaN.
 */
import { asList, field, hashKey, indexByQuestionId, strField } from '../io/access.js';
import { badInput, type Source } from '../io/errors.js';
import { pyStr, pyToFloat, type PyValue } from '../python/json.js';
import { pyFloat, pySlice } from '../python/text.js';
import { requireNonEmpty, samplesAccuracyReport } from './common.js';
import type { Fidelity, ItemVerdict, JsonDoc, Predictions, ScoreReport } from './types.js';

export interface GroundingInput {
  readonly testItems: JsonDoc;
  readonly predictions: Predictions;
  readonly fidelity?: Fidelity;
}

export type Box = readonly [number, number, number, number];

const pyMax = (a: number, b: number): number => (b > a ? b : a);
const pyMin = (a: number, b: number): number => (b < a ? b : a);

/** calculate_iou of the original, same operation order. Boxes are (x1, y1, x2, y2). */
export function boxIou(a: Box, b: Box): number {
  const [x1, y1, x2, y2] = a;
  const [x21, y21, x22, y22] = b;
  const inter = pyMax(0, pyMin(x2, x22) - pyMax(x1, x21)) * pyMax(0, pyMin(y2, y22) - pyMax(y1, y21));
  const union = (x2 - x1) * (y2 - y1) + (x22 - x21) * (y22 - y21) - inter;
  return union > 0 ? inter / union : 0;
}

/** Comma-separated Python floats; undefined where any part fails `float()`. */
function parseFloats(text: string): number[] | undefined {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const x = pyFloat(part);
    if (x === undefined) return undefined;
    out.push(x);
  }
  return out;
}

/** The model's box as the scorer reads it, or undefined when the item is skipped. */
export function parsePredictedBox(text: PyValue, fidelity: Fidelity): Box | undefined {
  if (typeof text !== 'string') return undefined; // AttributeError inside the original's try: skipped
  const unbracketed = text.replaceAll('[', '').replaceAll(']', '');
  const values = parseFloats(fidelity === 'coin' ? pySlice(unbracketed, 1, -1) : unbracketed);
  return values && values.length === 4 ? (values as unknown as Box) : undefined;
}

function maxOfSize(size: PyValue, src: Source, id: string): number {
  const list = asList(size, src, `size of test item ${id}`);
  if (list.length === 0)
    throw badInput(src, `size of test item ${id} is empty`, 'crash with ValueError: max() arg is an empty sequence');
  const nums = list.map((v) => {
    const x = pyToFloat(v);
    if (x === undefined) throw badInput(src, `size of test item ${id} must hold numbers`, 'crash with TypeError');
    return x;
  });
  return nums.reduce((m, x) => pyMax(m, x));
}

export function scoreGrounding(input: GroundingInput): ScoreReport {
  const fidelity = input.fidelity ?? 'coin';
  const { src } = input.testItems;
  const byId = indexByQuestionId(input.testItems.value, src, 'the test file', 'test item', (id) =>
    hashKey(id, src, 'question_id'),
  );

  const records = input.predictions.records;
  let right = 0;
  const verdicts: ItemVerdict[] = [];
  for (const rec of records) {
    const qid = field(rec.value, 'question_id', rec.src, 'the prediction');
    const id = pyStr(qid);
    const gt = byId.get(hashKey(qid, rec.src, 'question_id'));
    if (gt === undefined)
      throw badInput(
        rec.src,
        `question_id ${id} is not in the test file ${src.file}`,
        'crash with KeyError',
        'is this a Grounding prediction file?',
      );
    const bboxText = strField(gt, 'answer_bbox', src, `test item ${id}`);
    const truth = parseFloats(bboxText.replaceAll('[', '').replaceAll(']', ''));
    if (truth === undefined)
      throw badInput(
        src,
        `answer_bbox ${JSON.stringify(bboxText)} of test item ${id} is not a list of numbers`,
        'crash with ValueError',
      );
    const size = field(gt, 'size', src, `test item ${id}`);
    const rawText = field(rec.value, 'text', rec.src, 'the prediction');
    const predicted = parsePredictedBox(rawText, fidelity);
    const shown = pyStr(rawText);
    if (predicted === undefined) {
      verdicts.push({ id, prediction: shown, expected: bboxText, score: 0, note: 'not a box of 4 numbers' });
      continue;
    }
    if (truth.length !== 4)
      throw badInput(
        src,
        `answer_bbox of test item ${id} has ${truth.length} numbers, not 4`,
        'crash with ValueError while unpacking',
      );
    const maxWh = maxOfSize(size, src, id);
    const p = predicted.map((x) => x * maxWh) as unknown as Box;
    const g = truth.map((x) => x * maxWh) as unknown as Box;
    const ok = boxIou(p, g) > 0.5;
    if (ok) right += 1;
    verdicts.push({ id, prediction: shown, expected: bboxText, score: ok ? 1 : 0 });
  }
  requireNonEmpty(records.length, { file: input.predictions.file });
  const accuracy = (100 * right) / records.length;
  return samplesAccuracyReport({
    task: 'Grounding',
    fidelity,
    samples: records.length,
    correct: right,
    accuracy,
    verdicts,
  });
}
