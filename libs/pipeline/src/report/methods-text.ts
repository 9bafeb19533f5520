/**
 * The methods table for a terminal (what `coin report` prints): the headline metrics only, mean ±
 * half the 95% interval over seeds; report.html and comparison.csv have every metric.
 */
import type { RunGroup } from './group-runs.js';
import type { RecordMetric } from './metrics-record.js';
import { formatSummary } from './tables.js';

const ACCURACY: readonly RecordMetric[] = ['MAA', 'BWT', 'final_average', 'MFT', 'forgetting'];
const JUDGE: readonly RecordMetric[] = ['MAA', 'BWT', 'final_average'];
const SHORT: Partial<Record<RecordMetric, string>> = { final_average: 'final' };

export function methodsTableText(groups: readonly RunGroup[]): string {
  const fwt = groups.some((g) => g.accuracy.FWT !== undefined);
  const acc = fwt ? [...ACCURACY, 'FWT' as const] : ACCURACY;
  const header = [
    'method',
    'seeds',
    ...acc.map((k) => `acc ${SHORT[k] ?? k}`),
    ...JUDGE.map((k) => `judge ${SHORT[k] ?? k}`),
  ];
  const rows = groups.map((g) => [
    g.label,
    g.runs.map((r) => r.seed).join(','),
    ...acc.map((k) => formatSummary(g.accuracy[k])),
    ...JUDGE.map((k) => formatSummary(g.judge[k])),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  // Text columns left-aligned, numbers right-aligned.
  const line = (cells: readonly string[]): string =>
    cells
      .map((s, c) => (c < 2 ? s.padEnd(widths[c]) : s.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}
