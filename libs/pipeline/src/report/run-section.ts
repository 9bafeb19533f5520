/** One run's part of report.html: its charts, metrics, timing, environment and spec. */
import type { Cell, MetricsRecord, RunResults } from '../results/results.js';
import { bars } from './charts/bars.js';
import { curves } from './charts/curves.js';
import { heatmap } from './charts/heatmap.js';
import { radar } from './charts/radar.js';
import { scatter, type ScatterPoint } from './charts/scatter.js';
import { escapeHtml, formatCell, formatSeconds } from './html.js';
import { RECORD_METRICS, runMetrics } from './metrics-record.js';
import { environmentTable, metricsTable } from './tables.js';

/** `judge: rubric`, or `judge: openai (qwen1.5-32b-chat)` where the label says more than the backend. */
export function judgeName(run: RunResults): string {
  const { backend, label } = run.judge;
  return label && label !== backend ? `judge: ${backend} (${label})` : `judge: ${backend}`;
}

function withZeroShot(
  matrix: readonly (readonly Cell[])[],
  zeroShot: readonly Cell[] | undefined,
  stageLabels: readonly string[],
): { rows: (readonly Cell[])[]; labels: string[] } {
  const labels = stageLabels.map((s) => `after ${s}`);
  return zeroShot
    ? { rows: [zeroShot, ...matrix], labels: ['base (zero-shot)', ...labels] }
    : { rows: [...matrix], labels };
}

/** Metrics whose recorded value differs from the one computed from the matrix. */
function disagreements(stored: MetricsRecord, computed: MetricsRecord): string[] {
  return RECORD_METRICS.filter((k) => {
    const a = stored[k] ?? null;
    const b = computed[k] ?? null;
    return a === null || b === null ? a !== b : Math.abs(a - b) > 1e-6;
  });
}

function scatterPoints(run: RunResults): ScatterPoint[] {
  const points: ScatterPoint[] = [];
  run.accuracy.matrix.forEach((row, j) =>
    row.forEach((acc, i) => {
      const judged = run.judge.matrix[j]?.[i];
      if (acc === null || judged === null || judged === undefined) return;
      points.push({ x: acc, y: judged, series: i, label: `${run.tasks[i]} after ${j + 1} ${run.stages[j].name}` });
    }),
  );
  return points;
}

function unitsTable(run: RunResults): string {
  if (run.units.length === 0) return '';
  const rows = run.units
    .map(
      (u) =>
        `<tr><td>${escapeHtml(u.kind)}</td><td>${escapeHtml(u.label)}</td><td class="num">${escapeHtml(formatSeconds(u.wall_s))}</td>` +
        `<td class="num">${escapeHtml(formatCell(u.peak_rss_mb, 0))}</td><td>${u.cached ? 'cached' : ''}</td></tr>`,
    )
    .join('');
  return (
    `<details><summary>${run.units.length} unit${run.units.length === 1 ? '' : 's'} of work</summary><table class="units">` +
    '<thead><tr><th>kind</th><th>unit</th><th>wall</th><th>peak RSS (MB)</th><th></th></tr></thead>' +
    `<tbody>${rows}</tbody></table></details>`
  );
}

export function runSection(run: RunResults, id: string): string {
  const stageLabels = run.stages.map((s, j) => `${j + 1} ${s.name}`);
  const judge = judgeName(run);
  const acc = withZeroShot(run.accuracy.matrix, run.accuracy.zero_shot, stageLabels);
  const jud = withZeroShot(run.judge.matrix, run.judge.zero_shot, stageLabels.slice(0, run.judge.matrix.length));
  const computed = runMetrics(run);
  const oneStagePerTask = run.accuracy.matrix.length === run.tasks.length;
  const diagonal = run.tasks.map((_, i) => run.accuracy.matrix[i]?.[i] ?? null);
  const final = run.tasks.map((_, i) => run.accuracy.matrix.at(-1)?.[i] ?? null);

  const charts = [
    heatmap({
      name: 'accuracy-heatmap',
      title: `Accuracy (${run.accuracy.fidelity} scoring) per stage and task`,
      tasks: run.tasks,
      rowLabels: acc.labels,
      rows: acc.rows,
    }),
    heatmap({
      name: 'judge-heatmap',
      title: `General Knowledge (${judge}) per stage and task`,
      tasks: run.tasks,
      rowLabels: jud.labels,
      rows: jud.rows,
    }),
    curves({
      name: 'task-curves',
      title: 'Accuracy of each task across stages',
      tasks: run.tasks,
      stageLabels,
      rows: run.accuracy.matrix,
    }),
    radar({
      name: 'radar',
      title: 'Just trained vs after the last stage',
      tasks: run.tasks,
      series: [
        ...(oneStagePerTask ? [{ label: 'just trained, a[i][i]', color: '#2f6db5', values: diagonal }] : []),
        { label: 'after the last stage, a[T][i]', color: '#d1423f', values: final },
      ],
    }),
    scatter({
      name: 'accuracy-vs-judge',
      title: `Accuracy vs ${judge}, per cell`,
      xLabel: 'accuracy',
      yLabel: 'judge',
      seriesLabels: run.tasks,
      points: scatterPoints(run),
      emptyNote: 'no cell has both scores',
    }),
    bars({
      name: 'stage-time',
      title: 'Time per stage',
      categories: stageLabels,
      series: [
        { label: 'train', values: run.stages.map((s) => s.train_s) },
        { label: 'eval + judge', values: run.stages.map((s) => s.eval_s) },
      ],
      yLabel: 'seconds',
      format: formatSeconds,
      stacked: true,
    }),
    bars({
      name: 'stage-memory',
      title: 'Peak memory (RSS) of each stage’s training',
      categories: stageLabels,
      series: [{ label: 'peak RSS', values: run.stages.map((s) => s.peak_rss_mb) }],
      yLabel: 'MB',
      format: (v) => `${formatCell(v, 0)} MB`,
    }),
  ];

  const stale = [
    ...disagreements(run.metrics.accuracy, computed.accuracy).map((k) => `accuracy ${k}`),
    ...disagreements(run.metrics.judge, computed.judge).map((k) => `judge ${k}`),
  ];
  const warning =
    stale.length > 0
      ? `<p class="warning">The metrics recorded in results.json differ from those computed from its matrices (${escapeHtml(stale.join(', '))}); this report shows the computed ones.</p>`
      : '';
  const judgeNote =
    run.judge.parse_failures + run.judge.refusals > 0
      ? `<p class="note">The judge's replies: ${run.judge.parse_failures} could not be parsed, ${run.judge.refusals} refused.</p>`
      : '';
  return (
    `<section class="run" id="${escapeHtml(id)}">` +
    `<h2>${escapeHtml(run.label)} · seed ${run.seed}</h2>` +
    `<p class="meta">run ${escapeHtml(run.run_id)} · method ${escapeHtml(run.method)} · ${run.tasks.length} tasks: ${escapeHtml(run.tasks.join(' → '))}</p>` +
    `<p class="meta">${escapeHtml(formatSeconds(run.timings.total_s))} from ${escapeHtml(run.timings.started_at)} to ${escapeHtml(run.timings.finished_at)}</p>` +
    `<h3>Metrics</h3>${warning}${metricsTable(computed.accuracy, computed.judge, judge)}${judgeNote}` +
    `<div class="charts">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>` +
    `<h3>Environment</h3>${environmentTable(run.environment)}${unitsTable(run)}` +
    `<details><summary>run spec</summary><pre>${escapeHtml(JSON.stringify(run.spec, null, 2))}</pre></details>` +
    '</section>'
  );
}
