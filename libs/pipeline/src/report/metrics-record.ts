/**
 * The continual metrics of one results matrix as results.json records them
 * (docs/file-formats.md#results-json, definitions in docs/protocol.md#continual-metrics).
 */
import { continualMetrics, type ResultsMatrix } from '@coin/metrics';
import type { Cell, MetricsRecord } from '../results/results.js';

/** Every scalar of a MetricsRecord, in the order tables print them. */
export const RECORD_METRICS = ['MAA', 'BWT', 'final_average', 'MFT', 'MFN', 'forgetting', 'FWT'] as const;
export type RecordMetric = (typeof RECORD_METRICS)[number];

function meanOf(cells: readonly Cell[]): Cell {
  const values = cells.filter((x): x is number => x !== null);
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * @param matrix rows[j][i] after stage j. One row per task (lower-triangular or square) gives every
 *   metric. Fewer rows than tasks (the multitask run's single joint stage) has no diagonal and no
 *   stage-by-stage history: only the final-row metrics (final_average = MFN) are given, the rest null.
 * @param zeroShot the base model's score per task; FWT is recorded only with it and a square matrix.
 */
export function metricsRecord(
  matrix: readonly (readonly Cell[])[],
  tasks: readonly string[],
  zeroShot?: readonly Cell[],
): MetricsRecord {
  const last = matrix.at(-1);
  // MCITlib's mean final accuracy: the last row's mean over the cells it has.
  const MFN = last ? meanOf(last) : null;
  if (matrix.length !== tasks.length)
    return { MAA: null, BWT: null, final_average: MFN, MFT: null, MFN, forgetting: null };
  const m: ResultsMatrix = { tasks, rows: matrix };
  const c = continualMetrics(m, zeroShot);
  const square = matrix.every((row) => row.length === tasks.length);
  const record: MetricsRecord = {
    MAA: c.MAA,
    BWT: c.BWT,
    final_average: c.final_average,
    MFT: c.MFT,
    MFN,
    forgetting: c.forgetting,
  };
  return zeroShot && square ? { ...record, FWT: c.FWT ?? null } : record;
}

/** Both matrices' metrics, computed from the matrices themselves (what the report and CSVs show). */
export function runMetrics(run: {
  readonly tasks: readonly string[];
  readonly accuracy: { readonly matrix: readonly (readonly Cell[])[]; readonly zero_shot?: readonly Cell[] };
  readonly judge: { readonly matrix: readonly (readonly Cell[])[]; readonly zero_shot?: readonly Cell[] };
}): { readonly accuracy: MetricsRecord; readonly judge: MetricsRecord } {
  return {
    accuracy: metricsRecord(run.accuracy.matrix, run.tasks, run.accuracy.zero_shot),
    judge: metricsRecord(run.judge.matrix, run.tasks, run.judge.zero_shot),
  };
}
