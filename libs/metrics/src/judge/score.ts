/**
 * Judge score parsing and aggregation (docs/protocol.md#judge-score-parsing, CoIN's evaluate_score.py).
 * coin, per judge text t (10 added to the denominator for every line):
 *   1. Python `float(t)` succeeds → add it if ≤ 10 (NaN and > 10 add nothing; negatives add);
 *   2. else if t contains "/" → the part before the first "/" is added if `str.isnumeric()` and
 *      ≤ 10 (an isnumeric part that `float()` rejects, like "½" or "五", crashes the original);
 *   3. else the first ASCII digit 1-9 anywhere ("10/…" never gets here, but "10 points" gives 1);
 *      none → 0 and the text is printed.
 *   Final = Python round(100 · Σ / (10 · N)) (half-to-even on the exact double).
 * strict: surrounding whitespace ignored; a plain number 0-10 counts as is (out of range → 0);
 *   "x/y" at the start counts 10·x/y when 0 ≤ x ≤ y; otherwise the first standalone ASCII number
 *   0-10 ("10 points" → 10, "0 out of 10" → 0); no Unicode digits, NaN or inf; never a crash;
 *   unparsed → 0.
 */
import { pyStrip, pythonRound } from '@coin/core';
import { strField } from '../io/access.js';
import { badInput, type Source } from '../io/errors.js';
import type { JsonRecord } from '../io/read.js';
import { pyFloat, pyIsNumeric } from '../python/text.js';
import type { Fidelity } from '../scorers/types.js';

export interface ParsedJudgeScore {
  /** What is added to the sum. */
  readonly value: number;
  /** false where the original prints the text (nothing usable found). */
  readonly parsed: boolean;
}

export function parseJudgeScoreCoin(t: string, src?: Source): ParsedJudgeScore {
  const f = pyFloat(t);
  if (f !== undefined) return { value: f <= 10 ? f : 0, parsed: true };
  if (t.includes('/')) {
    const part = t.split('/')[0];
    if (!pyIsNumeric(part)) return { value: 0, parsed: true };
    const x = pyFloat(part);
    if (x === undefined)
      throw badInput(
        src,
        `the judge text ${JSON.stringify(t)} starts with ${JSON.stringify(part)}, numeric for str.isnumeric() but not for float()`,
        `crash with ValueError: could not convert string to float: '${part}'`,
      );
    return { value: x <= 10 ? x : 0, parsed: true };
  }
  const digit = /[1-9]/.exec(t);
  return digit ? { value: Number(digit[0]), parsed: true } : { value: 0, parsed: false };
}

export function parseJudgeScoreStrict(raw: string): ParsedJudgeScore {
  const t = pyStrip(raw);
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) {
    const v = Number(t);
    return { value: v >= 0 && v <= 10 ? v : 0, parsed: true };
  }
  const frac = /^(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)/.exec(t);
  if (frac) {
    const x = Number(frac[1]);
    const y = Number(frac[2]);
    return { value: y > 0 && x <= y ? (10 * x) / y : 0, parsed: true };
  }
  const token = /(?<![\w./])(10|\d)(?:\.\d+)?(?!\w)/.exec(t); // a standalone number, not part of a word or a fraction
  if (token) {
    const v = Number(token[0]);
    return { value: v <= 10 ? v : 0, parsed: true };
  }
  return { value: 0, parsed: false };
}

export interface JudgeScoreResult {
  /** CoIN's integer: round(100 · Σ / (10 · N)). */
  readonly score: number;
  /** The unrounded value that is rounded: 100 · (Σ / (10 · N)). */
  readonly scoreFull: number;
  readonly lines: number;
  readonly sum: number;
  readonly perLine: readonly number[];
  /** Texts with nothing usable (the original prints each on its own line). */
  readonly unparsed: readonly string[];
  /** Prompt_Result.text content. */
  readonly resultText: string;
}

/** A judged cell's texts, parsed and aggregated (docs/protocol.md#judge-score-parsing). */
export interface JudgeAggregate {
  /**
   * Python round(100 · Σ / (10 · N)), the integer CoIN reports, under both fidelities: rounding is not
   * a suspected bug, and strict changes nothing else. The unrounded value is scoreFull.
   */
  readonly score: number;
  /** 100 · (Σ / (10 · N)) before rounding. */
  readonly scoreFull: number;
  readonly n: number;
  readonly sum: number;
  /** Per text: what it added, or null where nothing usable was found (it added 0). */
  readonly scores: readonly (number | null)[];
  /** Texts with nothing usable (the nulls of scores). */
  readonly parseFailures: number;
}

/** Where the texts came from, for error messages: the file, and each text's line where known. */
export interface JudgeTextsOrigin {
  readonly file?: string;
  readonly sources?: readonly Source[];
}

export function aggregateJudgeScores(
  texts: readonly string[],
  fidelity: Fidelity,
  origin: JudgeTextsOrigin = {},
): JudgeAggregate {
  const where = { file: origin.file ?? 'the judge replies' };
  if (texts.length === 0) throw badInput(where, 'the judge output file has no lines', 'crash with ZeroDivisionError');
  let sum = 0;
  let parseFailures = 0;
  const scores = texts.map((t, k) => {
    const p = fidelity === 'coin' ? parseJudgeScoreCoin(t, origin.sources?.[k]) : parseJudgeScoreStrict(t);
    sum += p.value;
    if (p.parsed) return p.value;
    parseFailures += 1;
    return null;
  });
  const total = 10 * texts.length;
  const scoreFull = (sum / total) * 100;
  let score: number;
  try {
    score = pythonRound(scoreFull);
  } catch (e) {
    throw badInput(
      where,
      `the judge scores sum to ${sum}, which has no rounded value`,
      `crash with ${(e as Error).message}`,
    );
  }
  return { score, scoreFull, n: texts.length, sum, scores, parseFailures };
}

/** evaluate_score.py over prompt_eval_merge.jsonl's records. */
export function scoreJudgeLines(records: readonly JsonRecord[], fidelity: Fidelity, file: string): JudgeScoreResult {
  const texts = records.map((rec) => strField(rec.value, 'text', rec.src, 'the judge output'));
  const agg = aggregateJudgeScores(texts, fidelity, { file, sources: records.map((rec) => rec.src) });
  return {
    score: agg.score,
    scoreFull: agg.scoreFull,
    lines: agg.n,
    sum: agg.sum,
    perLine: agg.scores.map((v) => v ?? 0),
    unparsed: texts.filter((_, k) => agg.scores[k] === null),
    resultText: `Final score:${agg.score}`,
  };
}
