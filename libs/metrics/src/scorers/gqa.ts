/**
 * GQA (docs/protocol.md#scorer-gqa): CoIN converts merge.jsonl to GQA's prediction format (output minus trailing
 * periods, lower-cased) and runs the official GQA evaluation against
 * testdev_balanced_questions.json over the predicted questions only. Balanced questions count;
 * prints Binary/Open/Accuracy, Validity and Plausibility (always 0.00%: their code is commented
 * out), Distribution (chi-square of gold vs predicted answers per global group / 100), then
 * accuracy per structural type, semantic type, steps and words. Sub-metric titles are printed raw
 * (the original's capitalisation test looks at the wrong variable). Result.text gets the same
 * figures appended without any newline.
 * coin: output.rstrip('.').lower(); ids looked up as is (an int id crashes the original); no
 *   balanced question with a global group crashes it (ZeroDivisionError).
 * strict: surrounding whitespace is stripped too (before and after the periods); ids compared as
 *   str(); Distribution is 0 when nothing can be compared; Result.text is rewritten, not appended.
 */
import { formatPython2f } from '@coin/core';
import { asList, field, hashKey, strField } from '../io/access.js';
import { badInput } from '../io/errors.js';
import { dumpPyJson, pyDict, pyKey, pyStr, pyTruthy, type PyValue } from '../python/json.js';
import { compareCodePoints, pyRstripChars, pySplitWhitespace, stripAnswer } from '../python/text.js';
import { requireNonEmpty } from './common.js';
import type { Fidelity, ItemVerdict, JsonDoc, Predictions, ScoreReport } from './types.js';
import { pyLower } from '../python/unicode14.js';

export interface GqaInput {
  readonly questions: JsonDoc;
  readonly predictions: Predictions;
  readonly fidelity?: Fidelity;
}

const BANNER =
  'Please make sure to use our provided visual features as gqadataset.org for better comparability. We provide both spatial and object-based features trained on GQA train set.\n' +
  'In particular please avoid using features from https://github.com/peteanderson80/bottom-up-attention since they were trained on images contained in the GQA validation set and thus may give false scores improvement.\n\n' +
  'Please consider using --consistency to compute consistency scores for entailed questions.\n' +
  'If you do so, please provide answers to all questions in val_all_questions.json.\n\n' +
  'Please consider using --grounding to compute attention scores.\n' +
  'If you do so, please provide attention maps through --attentions.\n\n' +
  'Loading questions...\nLoading predictions...\n';

/** A group of per-question scores keyed by a Python value (insertion-ordered like defaultdict). */
class Buckets {
  readonly groups = new Map<string, { key: PyValue; scores: number[] }>();
  add(key: PyValue, score: number, where: () => never): void {
    const k = pyKey(key) ?? where();
    const g = this.groups.get(k);
    if (g) g.scores.push(score);
    else this.groups.set(k, { key, scores: [score] });
  }
}

/** Counter per (group, answer) in insertion order. */
type Histogram = Map<string, Map<string, number>>;

function bump(h: Histogram, group: string, answer: string): void {
  let g = h.get(group);
  if (!g) h.set(group, (g = new Map()));
  g.set(answer, (g.get(answer) ?? 0) + 1);
}

/** avg(l) * 100 of the original: float(sum(l)) / len(l), 0 for an empty list. */
function percent(scores: readonly number[]): number {
  if (scores.length === 0) return 0;
  let sum = 0;
  for (const s of scores) sum += s;
  return (sum / scores.length) * 100;
}

function chiSquare(gold: Histogram, predicted: Histogram): number | undefined {
  let sumScore = 0;
  let sumOverall = 0;
  for (const [group, answers] of gold) {
    let score = 0;
    let overall = 0;
    for (const [answer, e] of answers) {
      const o = predicted.get(group)?.get(answer) ?? 0;
      score += (o - e) ** 2 / e;
      overall += e;
    }
    sumScore += score * overall;
    sumOverall += overall;
  }
  return sumOverall === 0 ? undefined : sumScore / sumOverall;
}

/** sorted() over the keys of one breakdown: str by code point, numbers numerically; mixed types crash. */
function sortedKeys(b: Buckets, what: string, file: string): Array<{ key: PyValue; scores: number[] }> {
  const entries = [...b.groups.values()];
  const kind = (v: PyValue): string =>
    typeof v === 'string'
      ? 'str'
      : typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean'
        ? 'num'
        : 'other';
  const kinds = new Set(entries.map((e) => kind(e.key)));
  if (entries.length > 1 && (kinds.size > 1 || kinds.has('other'))) {
    throw badInput(
      { file },
      `the ${what} values mix types and cannot be sorted`,
      "crash with TypeError: '<' not supported",
    );
  }
  return entries.sort((x, y) =>
    typeof x.key === 'string' ? compareCodePoints(x.key, y.key as string) : Number(x.key) - Number(y.key),
  );
}

export function convertGqaPrediction(text: string, fidelity: Fidelity): string {
  if (fidelity === 'coin') return pyLower(pyRstripChars(text, '.'));
  return pyLower(stripAnswer(text));
}

export function scoreGqa(input: GqaInput): ScoreReport {
  const fidelity = input.fidelity ?? 'coin';
  const qsrc = input.questions.src;
  const records = input.predictions.records;

  // convert_gqa_for_eval + {p["questionId"]: p["prediction"]}: last value wins, first position kept.
  const predictions = new Map<string, { qid: PyValue; prediction: string; src: (typeof records)[number]['src'] }>();
  // Every record converted, in file order: what testdev_balanced_predictions.json holds.
  const converted: PyValue[] = [];
  for (const rec of records) {
    const qid = field(rec.value, 'question_id', rec.src, 'the prediction');
    const prediction = convertGqaPrediction(strField(rec.value, 'text', rec.src, 'the prediction'), fidelity);
    converted.push(
      pyDict([
        ['questionId', qid],
        ['prediction', prediction],
      ]),
    );
    const key = fidelity === 'coin' ? hashKey(qid, rec.src, 'question_id') : `s${pyStr(qid)}`;
    const prev = predictions.get(key);
    predictions.set(key, { qid: prev ? prev.qid : qid, prediction, src: rec.src });
  }

  const accuracy: number[] = [];
  const binary: number[] = [];
  const open: number[] = [];
  const perStructural = new Buckets();
  const perSemantic = new Buckets();
  const perSteps = new Buckets();
  const perLength = new Buckets();
  const gold: Histogram = new Map();
  const predictedHist: Histogram = new Map();
  const verdicts: ItemVerdict[] = [];
  const questions = input.questions.value;

  for (const { qid, prediction, src } of predictions.values()) {
    const id = fidelity === 'coin' ? qid : pyStr(qid);
    if (typeof id !== 'string' || !(questions instanceof Map) || !questions.has(id)) {
      throw badInput(
        src,
        `question_id ${pyStr(qid)} is not a question of ${qsrc.file}`,
        `crash with KeyError: ${pyStr(qid)}`,
        'is this a GQA prediction file, scored against testdev_balanced_questions.json?',
      );
    }
    const q = questions.get(id)!;
    const where = `question ${id}`;
    const goldAnswer = field(q, 'answer', qsrc, where);
    const score = typeof goldAnswer === 'string' && goldAnswer === prediction ? 1 : 0;
    const wordsNum = pySplitWhitespace(strField(q, 'question', qsrc, where)).length;
    const steps = asList(field(q, 'semantic', qsrc, where), qsrc, `"semantic" of ${where}`).filter((c) => {
      const op = `${pyStr(field(c, 'operation', qsrc, where))}: ${pyStr(field(c, 'argument', qsrc, where))}`;
      return !['exist', 'query: name', 'choose name'].some((o) => op.includes(o));
    }).length;
    const balanced = pyTruthy(field(q, 'isBalanced', qsrc, where));
    verdicts.push({
      id: pyStr(qid),
      prediction,
      expected: pyStr(goldAnswer),
      score,
      note: balanced ? undefined : 'not balanced: not scored',
    });
    if (!balanced) continue;
    const crash = (): never => {
      throw badInput(qsrc, `a type or group of ${where} is a list or object`, 'crash with TypeError: unhashable type');
    };
    const types = field(q, 'types', qsrc, where);
    const structural = field(types, 'structural', qsrc, `"types" of ${where}`);
    accuracy.push(score);
    perLength.add(BigInt(wordsNum), score, crash);
    perSteps.add(BigInt(steps), score, crash);
    perStructural.add(structural, score, crash);
    perSemantic.add(field(types, 'semantic', qsrc, `"types" of ${where}`), score, crash);
    (structural === 'query' ? open : binary).push(score);
    const globalGroup = field(field(q, 'groups', qsrc, where), 'global', qsrc, `"groups" of ${where}`);
    if (globalGroup !== null) {
      const g = pyKey(globalGroup) ?? crash();
      bump(gold, g, pyKey(goldAnswer) ?? crash());
      bump(predictedHist, g, `s${prediction}`);
    }
  }
  requireNonEmpty(records.length, { file: input.predictions.file });

  let distribution = chiSquare(gold, predictedHist);
  if (distribution === undefined) {
    if (fidelity === 'coin')
      throw badInput(
        { file: input.predictions.file },
        'no balanced question with a global group was predicted; the distribution score is undefined',
        'crash with ZeroDivisionError',
      );
    distribution = 0;
  }
  distribution /= 100;

  const headline: Array<[string, number, string]> = [
    ['Binary', percent(binary), '%'],
    ['Open', percent(open), '%'],
    ['Accuracy', percent(accuracy), '%'],
    ['Validity', 0, '%'],
    ['Plausibility', 0, '%'],
    ['Distribution', distribution, ' (lower is better)'],
  ];
  let stdout = fidelity === 'coin' ? `${BANNER}\n` : '\n';
  let resultText = '';
  for (const [title, value, suffix] of headline) {
    const line = `${title}: ${formatPython2f(value)}${suffix}`;
    stdout += `${line}\n`;
    resultText += line;
  }
  const detailed: Array<[Buckets, string, string]> = [
    [perStructural, 'Accuracy / structural type', 'types.structural'],
    [perSemantic, 'Accuracy / semantic type', 'types.semantic'],
    [perSteps, 'Accuracy / steps number', 'steps'],
    [perLength, 'Accuracy / words number', 'words'],
  ];
  for (const [buckets, title, what] of detailed) {
    stdout += `\n${title}:\n`;
    for (const { key, scores } of sortedKeys(buckets, what, qsrc.file)) {
      const line = `  ${pyStr(key)}: ${formatPython2f(percent(scores))}% (${scores.length} questions)`;
      stdout += `${line}\n`;
      resultText += line;
    }
  }
  const correct = accuracy.filter((s) => s === 1).length;
  return {
    task: 'GQA',
    fidelity,
    samples: accuracy.length,
    correct,
    accuracy: percent(accuracy),
    stdout,
    files: [
      { name: 'testdev_balanced_predictions.json', content: dumpPyJson(converted), mode: 'write' },
      { name: 'Result.text', content: resultText, mode: fidelity === 'coin' ? 'append' : 'write' },
    ],
    verdicts,
  };
}
