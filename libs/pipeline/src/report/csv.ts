/**
 * The report's tables as CSV (docs/file-formats.md#results-csv): RFC 4180 quoting, `\n` line ends,
 * numbers at full precision, an empty field for a missing cell.
 */
import type { Cell, RunResults } from '../results/results.js';
import type { RunGroup } from './group-runs.js';
import { RECORD_METRICS, runMetrics } from './metrics-record.js';

type Field = string | number | null | undefined;

function field(v: Field): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: readonly string[], rows: readonly (readonly Field[])[]): string {
  return [header, ...rows].map((r) => `${r.map(field).join(',')}\n`).join('');
}

export const RESULTS_CSV_COLUMNS = [
  'run_id',
  'method',
  'seed',
  'stage',
  'stage_task',
  'task',
  'accuracy',
  'accuracy_other_fidelity',
  'judge',
] as const;

/**
 * One row per evaluated (stage, task) cell of every run: stage 1..R is the model after that stage
 * (`stage_task` names what it trained), stage 0 the base model (`zero-shot`) when the run scored it.
 * A cell outside every matrix's shape (above a lower-triangular diagonal) has no row.
 */
export function resultsCsv(results: RunResults | readonly RunResults[]): string {
  const runs: readonly RunResults[] = Array.isArray(results) ? results : [results as RunResults];
  const rows: Field[][] = [];
  for (const run of runs) {
    const head = [run.run_id, run.method, run.seed];
    const { zero_shot: accZero } = run.accuracy;
    const judgeZero = run.judge.zero_shot;
    if (accZero || judgeZero)
      run.tasks.forEach((task, i) => rows.push([...head, 0, 'zero-shot', task, accZero?.[i], null, judgeZero?.[i]]));
    const matrices = [run.accuracy.matrix, run.accuracy.other_matrix, run.judge.matrix];
    const stages = Math.max(...matrices.map((m) => m.length));
    for (let j = 0; j < stages; j += 1) {
      const width = Math.max(...matrices.map((m) => m[j]?.length ?? 0));
      const at = (m: readonly (readonly Cell[])[], i: number): Cell | undefined => m[j]?.[i];
      for (let i = 0; i < width; i += 1)
        rows.push([
          ...head,
          j + 1,
          run.stages[j]?.name ?? run.tasks[j],
          run.tasks[i],
          at(matrices[0], i),
          at(matrices[1], i),
          at(matrices[2], i),
        ]);
    }
  }
  return csv(RESULTS_CSV_COLUMNS, rows);
}

/** One row per run and matrix (accuracy, judge): the metrics computed from its matrix. */
export function metricsCsv(runs: readonly RunResults[]): string {
  const rows: Field[][] = [];
  for (const run of runs) {
    const m = runMetrics(run);
    for (const kind of ['accuracy', 'judge'] as const)
      rows.push([run.run_id, run.method, run.label, run.seed, kind, ...RECORD_METRICS.map((k) => m[kind][k])]);
  }
  return csv(['run_id', 'method', 'label', 'seed', 'matrix', ...RECORD_METRICS], rows);
}

/** One row per method group, matrix and metric: n, mean, sample std and the 95% interval over seeds. */
export function comparisonCsv(groups: readonly RunGroup[]): string {
  const rows: Field[][] = [];
  for (const g of groups) {
    const seeds = g.runs.map((r) => r.seed).join(' ');
    for (const kind of ['accuracy', 'judge'] as const)
      for (const k of RECORD_METRICS) {
        const s = g[kind][k];
        if (!s) continue;
        rows.push([g.label, g.method, g.runs.length, seeds, kind, k, s.n, s.mean, s.std, s.ci95?.[0], s.ci95?.[1]]);
      }
  }
  return csv(
    ['label', 'method', 'runs', 'seeds', 'matrix', 'metric', 'n', 'mean', 'std', 'ci95_low', 'ci95_high'],
    rows,
  );
}
