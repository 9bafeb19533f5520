/**
 * report.html: one self-contained file (inline CSS, inline SVG drawn here, no script, nothing
 * fetched: its Content-Security-Policy forbids it) for one run or a set of runs
 * (docs/file-formats.md#report-html).
 */
import type { RunResults } from '../results/results.js';
import { bars } from './charts/bars.js';
import { groupRuns, type RunGroup } from './group-runs.js';
import { headroomTables, SMALL_HEADROOM } from './headroom.js';
import { escapeHtml } from './html.js';
import { judgeName, runSection } from './run-section.js';
import { REPORT_CSS } from './style.js';
import { comparisonTable, headroomTable } from './tables.js';

function methodsChart(groups: readonly RunGroup[]): string {
  const pick = (kind: 'accuracy' | 'judge') => ({
    values: groups.map((g) => g[kind].final_average?.mean ?? null),
    intervals: groups.map((g) => g[kind].final_average?.ci95 ?? null),
  });
  return bars({
    name: 'methods',
    title: 'Final average per method (whiskers: 95% interval over seeds)',
    categories: groups.map((g) => g.label),
    series: [
      { label: 'accuracy', ...pick('accuracy') },
      { label: 'judge', ...pick('judge') },
    ],
    yLabel: 'score',
    format: (v) => v.toFixed(2),
    max: 100,
  });
}

function comparisonSection(runs: readonly RunResults[]): string {
  const groups = groupRuns(runs);
  const judges = [...new Set(runs.map(judgeName))];
  const headroom = headroomTables(groups);
  return (
    '<section id="comparison"><h2>Methods</h2>' +
    '<p class="note">One row per experiment; runs that differ only in their seed are one row: mean ± half the 95% Student-t interval (hover a cell for n, std and the interval).</p>' +
    comparisonTable(groups, judges.length === 1 ? judges[0] : 'judge') +
    `<div class="charts"><figure>${methodsChart(groups)}</figure></div>` +
    (headroom.length > 0
      ? `<h3>Headroom per task</h3>${headroom.map((t) => headroomTable(t, SMALL_HEADROOM)).join('')}`
      : '') +
    '</section>'
  );
}

export function renderReport(runs: readonly RunResults[]): string {
  if (runs.length === 0) throw new Error('renderReport needs at least one run');
  const several = runs.length > 1;
  const title = several ? `CoIN report: ${runs.length} runs` : `CoIN report: ${runs[0].label} · seed ${runs[0].seed}`;
  const nav = several
    ? `<nav><a href="#comparison">methods</a>${runs.map((r, k) => `<a href="#run-${k + 1}">${escapeHtml(`${r.label} · seed ${r.seed}`)}</a>`).join('')}</nav>`
    : '';
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title><style>${REPORT_CSS}</style></head><body>` +
    `<header><h1>${escapeHtml(title)}</h1>` +
    '<p class="meta">Written by <code>coin report</code> from results.json; scores are percentages (0–100); n/a marks a cell that was not evaluated.</p>' +
    `${nav}</header>` +
    (several ? comparisonSection(runs) : '') +
    runs.map((run, k) => runSection(run, `run-${k + 1}`)).join('') +
    '</body></html>\n'
  );
}
