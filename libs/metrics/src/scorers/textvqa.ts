/**
 * TextVQA (docs/protocol.md#scorer-textvqa): VQA soft accuracy against the official val annotations' 10 answers, after
 * the EvalAI normaliser. Both fidelities behave the same (no BUG? item; the normaliser's quirks
 * are part of the published metric). Python ≥ 3.12 sums floats with compensation; we sum in plain
 * order like Python 3.11 and earlier (a last-ulp difference only at full precision).
 */
import { asList, field, strField } from '../io/access.js';
import { badInput } from '../io/errors.js';
import { pyStr } from '../python/json.js';
import { requireNonEmpty, samplesAccuracyReport } from './common.js';
import type { Fidelity, ItemVerdict, JsonDoc, Predictions, ScoreReport } from './types.js';
import { normalizeVqaAnswer, vqaSoftScore } from './vqa-normalizer.js';

export interface TextVqaInput {
  readonly annotations: JsonDoc;
  readonly predictions: Predictions;
  readonly fidelity?: Fidelity;
}

export function scoreTextVqa(input: TextVqaInput): ScoreReport {
  const fidelity = input.fidelity ?? 'coin';
  const { src } = input.annotations;
  const data = asList(field(input.annotations.value, 'data', src, 'the annotation file'), src, 'the annotation "data"');
  const byId = new Map<string, { answers: unknown; index: number }>();
  data.forEach((a, index) => {
    byId.set(pyStr(field(a, 'question_id', src, `annotation #${index}`)), {
      answers: field(a, 'answers', src, `annotation #${index}`),
      index,
    });
  });

  // Human answers repeat a lot across questions: normalise each distinct string once.
  const cache = new Map<string, string>();
  const normalize = (a: string): string => {
    let v = cache.get(a);
    if (v === undefined) cache.set(a, (v = normalizeVqaAnswer(a)));
    return v;
  };
  const verdicts: ItemVerdict[] = [];
  let sum = 0;
  for (const rec of input.predictions.records) {
    const id = pyStr(field(rec.value, 'question_id', rec.src, 'the prediction'));
    const ann = byId.get(id);
    if (!ann)
      throw badInput(
        rec.src,
        `question_id ${id} is not in the annotation file ${src.file}`,
        `crash with KeyError: '${id}'`,
        'is this a TextVQA prediction file, scored against TextVQA_0.5.1_val.json?',
      );
    const prediction = strField(rec.value, 'text', rec.src, 'the prediction');
    const raw = asList(ann.answers as never, src, `answers of question ${id}`);
    const human = raw.map((a, k) => {
      if (typeof a !== 'string')
        throw badInput(src, `answer ${k} of question ${id} is not a string`, 'crash with AttributeError');
      return normalize(a);
    });
    if (human.length !== 10)
      throw badInput(
        src,
        `question ${id} has ${human.length} answers; the VQA soft accuracy needs exactly 10`,
        'crash with AssertionError',
      );
    const normalized = normalize(prediction);
    const score = vqaSoftScore(normalized, human);
    sum += score;
    verdicts.push({ id, prediction, expected: raw.join(' | '), score });
  }
  requireNonEmpty(verdicts.length, { file: input.predictions.file });
  const accuracy = 100 * (sum / verdicts.length);
  return samplesAccuracyReport({
    task: 'TextVQA',
    fidelity,
    samples: verdicts.length,
    correct: null,
    accuracy,
    verdicts,
  });
}
