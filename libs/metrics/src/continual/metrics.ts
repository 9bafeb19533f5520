/**
 * Continual-learning metrics over a results matrix (docs/protocol.md#continual-metrics), T tasks, L = T-1 the last stage:
 *   AA_j = mean_{i≤j} a[j][i];  MAA = mean_j AA_j;  final average = AA_L;  MFT = mean_i a[i][i];
 *   BWT = mean_{i<L} (a[L][i] − a[i][i]);  forgetting = mean_{i<L} (max_{i≤j<L} a[j][i] − a[L][i]);
 *   FWT = mean_{i≥1} (a[i−1][i] − z[i]) against the zero-shot row z (needs the entries above the
 *   diagonal, i.e. a full square matrix; null otherwise).
 * Missing cells (null) are left out of each mean; a metric with no terms is null.
 */
import { cell, type Cell, type ResultsMatrix } from './matrix.js';
import { summarize, type Summary } from './stats.js';

export interface ContinualMetrics {
  readonly AA: readonly Cell[];
  readonly MAA: Cell;
  readonly final_average: Cell;
  readonly MFT: Cell;
  readonly BWT: Cell;
  readonly forgetting: Cell;
  readonly FWT?: Cell;
  /** Why FWT is n/a (undefined or null), in words a user can act on. */
  readonly FWT_unavailable?: string;
}

function mean(xs: readonly Cell[]): Cell {
  const vals = xs.filter((x): x is number => x !== null);
  if (vals.length === 0) return null;
  let s = 0;
  for (const v of vals) s += v;
  return s / vals.length;
}

/** @param zeroShotKey the matrix.json key of `zeroShot`, named when FWT is n/a for want of it. */
export function continualMetrics(
  m: ResultsMatrix,
  zeroShot?: readonly Cell[],
  zeroShotKey = 'zero_shot',
): ContinualMetrics {
  const t = m.tasks.length;
  const last = t - 1;
  const AA = m.tasks.map((_, j) => mean(Array.from({ length: j + 1 }, (_, i) => cell(m, j, i))));
  const diag = m.tasks.map((_, i) => cell(m, i, i));
  const bwtTerms: Cell[] = [];
  const forgetTerms: Cell[] = [];
  for (let i = 0; i < last; i += 1) {
    const fin = cell(m, last, i);
    bwtTerms.push(fin !== null && diag[i] !== null ? fin - diag[i]! : null);
    const earlier = Array.from({ length: last - i }, (_, k) => cell(m, i + k, i)).filter(
      (x): x is number => x !== null,
    );
    forgetTerms.push(fin !== null && earlier.length > 0 ? Math.max(...earlier) - fin : null);
  }
  const result: ContinualMetrics = {
    AA,
    MAA: mean(AA),
    final_average: AA[last],
    MFT: mean(diag),
    BWT: mean(bwtTerms),
    forgetting: mean(forgetTerms),
  };
  if (!zeroShot) {
    const reason = `needs "${zeroShotKey}" in matrix.json: the base model's score on each task before training`;
    return { ...result, FWT_unavailable: reason };
  }
  const fwtTerms: Cell[] = [];
  for (let i = 1; i < t; i += 1) {
    const before = cell(m, i - 1, i);
    fwtTerms.push(before !== null && zeroShot[i] !== null ? before - zeroShot[i]! : null);
  }
  const FWT = mean(fwtTerms);
  return FWT === null ? { ...result, FWT, FWT_unavailable: fwtGap(m, t) } : { ...result, FWT };
}

/** Why FWT has no terms although a zero-shot row was given. */
function fwtGap(m: ResultsMatrix, t: number): string {
  if (t < 2) return 'needs at least two tasks';
  const square = m.rows.every((r) => r.length === t);
  if (!square)
    return 'needs the scores above the diagonal, a[i-1][i] (each task one stage before it is trained): give the full square matrix';
  return 'every a[i-1][i] or its zero_shot[i] is null';
}

export const SCALAR_METRICS = ['MAA', 'final_average', 'MFT', 'BWT', 'forgetting', 'FWT'] as const;
export type ScalarMetric = (typeof SCALAR_METRICS)[number];

/** Mean, sample std and 95% t-interval of each scalar metric over runs (seeds, task orders). */
export function aggregateMetrics(runs: readonly ContinualMetrics[]): Partial<Record<ScalarMetric, Summary>> {
  const out: Partial<Record<ScalarMetric, Summary>> = {};
  for (const k of SCALAR_METRICS) {
    if (k === 'FWT' && runs.every((r) => r.FWT === undefined)) continue;
    out[k] = summarize(runs.map((r) => r[k] ?? null));
  }
  return out;
}
