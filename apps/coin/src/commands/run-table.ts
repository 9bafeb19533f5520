import type { Cell, MetricsRecord, RunResults } from '@coin/pipeline';

const fmt = (c: Cell | undefined, width = 6): string =>
  (c === null || c === undefined ? 'n/a' : c.toFixed(1)).padStart(width);

/** Short column heads: the first 6 characters of each task. */
const head = (task: string) => task.slice(0, 6).padStart(6);

/** Rows are named by their stage (a task, or `multitask` for a joint stage). */
export function matrixLines(
  title: string,
  tasks: readonly string[],
  stages: readonly string[],
  rows: readonly (readonly Cell[])[],
): string[] {
  const lines = [`${title} (row: after stage, column: task)`, `${' '.repeat(8)}${tasks.map(head).join(' ')}`];
  rows.forEach((r, j) => {
    const cells = tasks.map((_, i) => (i < r.length ? fmt(r[i]) : ' '.repeat(6)));
    lines.push(`${head(stages[j] ?? tasks[j])}  ${cells.join(' ')}`);
  });
  return lines;
}

const METRIC_KEYS = ['MAA', 'BWT', 'final_average', 'MFT', 'MFN', 'forgetting', 'FWT'] as const;

export function metricsLine(name: string, m: MetricsRecord): string {
  return `${name.padEnd(9)}${METRIC_KEYS.filter((k) => k in m)
    .map((k) => `${k} ${fmt(m[k], 0)}`)
    .join('  ')}`;
}

/** The final table `coin run` prints: both matrices and both metric rows. */
export function formatResults(r: RunResults): string {
  const stages = r.stages.map((s) => s.name);
  return [
    ...matrixLines(`accuracy (${r.accuracy.fidelity})`, r.tasks, stages, r.accuracy.matrix),
    '',
    ...matrixLines(`judge (${r.judge.label})`, r.tasks, stages, r.judge.matrix),
    '',
    metricsLine('accuracy', r.metrics.accuracy),
    metricsLine('judge', r.metrics.judge),
    `time ${r.timings.total_s.toFixed(0)} s`,
  ].join('\n');
}
