/** The report's HTML tables: metrics of one run, the methods comparison, headroom, environment. */
import type { Summary } from '@coin/metrics';
import type { EnvironmentRecord, MetricsRecord } from '../results/results.js';
import type { MetricSummaries, RunGroup } from './group-runs.js';
import type { HeadroomTable } from './headroom.js';
import { escapeHtml, formatCell } from './html.js';
import { RECORD_METRICS, type RecordMetric } from './metrics-record.js';

/** What each metric is, for the tables' header tooltips (docs/protocol.md#continual-metrics). */
export const METRIC_NAMES: Readonly<Record<RecordMetric, string>> = {
  MAA: 'mean average accuracy: the mean over stages of the mean over the tasks seen so far',
  BWT: 'backward transfer: final minus just-trained score, mean over all but the last task (negative = forgetting)',
  final_average: 'the mean over tasks after the last stage',
  MFT: 'mean fine-tuned score: the mean of the diagonal (each task just after its own stage)',
  MFN: 'mean final score: the mean of the last row (MCITlib)',
  forgetting: 'best earlier score minus final score, mean over all but the last task',
  FWT: 'forward transfer: score one stage before training minus the zero-shot score',
};

const cell = (content: string, a = ''): string => `<td${a}>${content}</td>`;

function header(k: RecordMetric): string {
  return `<th title="${escapeHtml(`${k}: ${METRIC_NAMES[k]}`)}">${escapeHtml(k === 'final_average' ? 'final' : k)}</th>`;
}

/** Which metrics a table shows: FWT only where some record has it. */
function shown(hasFwt: boolean): RecordMetric[] {
  return RECORD_METRICS.filter((k) => k !== 'FWT' || hasFwt);
}

/** Metrics (rows) of one run's accuracy and judge matrices (columns). */
export function metricsTable(accuracy: MetricsRecord, judge: MetricsRecord, judgeLabel: string): string {
  const keys = shown(accuracy.FWT !== undefined || judge.FWT !== undefined);
  const rows = keys
    .map(
      (k) =>
        `<tr>${header(k)}${cell(formatCell(accuracy[k]), ' class="num"')}${cell(formatCell(judge[k]), ' class="num"')}</tr>`,
    )
    .join('');
  return `<table class="metrics"><thead><tr><th>metric</th><th>accuracy</th><th>${escapeHtml(judgeLabel)}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** `28.74 ± 1.20` (half the 95% interval) with n ≥ 2, the value alone with one run. */
export function formatSummary(s: Summary | undefined): string {
  if (!s || s.mean === null) return 'n/a';
  if (!s.ci95) return formatCell(s.mean);
  return `${formatCell(s.mean)} ± ${formatCell((s.ci95[1] - s.ci95[0]) / 2)}`;
}

function summaryCell(s: Summary | undefined): string {
  const detail =
    s?.ci95 && s.std !== null
      ? ` title="n=${s.n}, std ${formatCell(s.std)}, 95% interval ${formatCell(s.ci95[0])} to ${formatCell(s.ci95[1])}"`
      : '';
  return `<td class="num"${detail}>${escapeHtml(formatSummary(s))}</td>`;
}

/** Rows = methods, columns = each metric of accuracy then of the judge (mean ± 95% half-interval over seeds). */
export function comparisonTable(groups: readonly RunGroup[], judgeLabel: string): string {
  const hasFwt = (pick: (g: RunGroup) => MetricSummaries): boolean => groups.some((g) => pick(g).FWT !== undefined);
  const accKeys = shown(hasFwt((g) => g.accuracy));
  const judgeKeys = shown(hasFwt((g) => g.judge));
  const top =
    `<tr><th rowspan="2">method</th><th rowspan="2">seeds</th>` +
    `<th colspan="${accKeys.length}">accuracy</th><th colspan="${judgeKeys.length}">${escapeHtml(judgeLabel)}</th></tr>`;
  const sub = `<tr>${accKeys.map(header).join('')}${judgeKeys.map(header).join('')}</tr>`;
  const rows = groups
    .map(
      (g) =>
        `<tr><th>${escapeHtml(g.label)}</th>${cell(escapeHtml(g.runs.map((r) => r.seed).join(', ')))}` +
        accKeys.map((k) => summaryCell(g.accuracy[k])).join('') +
        judgeKeys.map((k) => summaryCell(g.judge[k])).join('') +
        '</tr>',
    )
    .join('');
  return `<div class="table-wrap"><table class="comparison"><thead>${top}${sub}</thead><tbody>${rows}</tbody></table></div>`;
}

export function headroomTable(table: HeadroomTable, threshold: number): string {
  const rows = table.rows
    .map((r) => {
      const flag = r.small ? 'the base already knows this task' : '';
      return (
        `<tr${r.small ? ' class="flagged"' : ''}><th>${escapeHtml(r.task)}</th>` +
        summaryCell(r.zeroShot) +
        summaryCell(r.multitask) +
        cell(formatCell(r.headroom), ' class="num"') +
        cell(escapeHtml(flag)) +
        '</tr>'
      );
    })
    .join('');
  return (
    `<table class="headroom"><caption>${escapeHtml(table.multitask)} final minus zero-shot final ` +
    `(${table.zeroShotRuns} zero-shot run${table.zeroShotRuns === 1 ? '' : 's'}); flagged below ${threshold} points</caption>` +
    '<thead><tr><th>task</th><th>zero-shot</th><th>multitask</th><th>headroom</th><th></th></tr></thead>' +
    `<tbody>${rows}</tbody></table>`
  );
}

export function environmentTable(env: EnvironmentRecord): string {
  const rows: [string, string][] = [
    ['code version', env.code_version],
    ['node', env.node],
    ['onnxruntime', env.ort],
    ['execution provider', env.execution_provider],
    ['threads', env.threads === null ? 'n/a' : String(env.threads)],
    ['cpu', `${env.cpu} (${env.cpus} cores)`],
    ['platform', env.platform],
  ];
  return `<table class="environment"><tbody>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</tbody></table>`;
}
