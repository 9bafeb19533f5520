/**
 * A proto Sweep as text: one line per sweep for `coin sweep status`, and a sweep's table — its runs
 * in grid order with their state, progress and final metrics (docs/protocol.md#sweeps).
 */
import type { Run, Sweep } from '@coin/contracts';
import { runIdOf, stateName } from './run-view.js';

export const sweepIdOf = (name: string) => name.replace(/^sweeps\//, '');

/** `sweep-lora-6r-…  RUNNING  6 runs: 2 succeeded, 2 running, 2 pending`. */
export function sweepLine(sweep: Sweep): string {
  const counts = Object.entries(sweep.runStates)
    .map(([state, n]) => `${n} ${state.toLowerCase()}`)
    .join(', ');
  return [sweepIdOf(sweep.name), stateName(sweep.state).padEnd(10), `${sweep.runs.length} runs: ${counts}`].join('  ');
}

const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(2));

/** The sweep's runs in grid order; a run not submitted yet is PENDING (CANCELLED once the sweep is). */
export function sweepTable(sweep: Sweep, runs: readonly Run[]): string {
  const byName = new Map(runs.map((r) => [r.name, r]));
  const waiting = sweep.state === 6 /* STATE_CANCELLED */ ? 'CANCELLED' : 'PENDING';
  const header = ['run', 'state', 'units', 'acc final', 'acc MAA', 'acc BWT', 'judge final'];
  const rows = sweep.runs.map((name) => {
    const r = byName.get(name);
    const p = r?.progress;
    const m = r?.metrics;
    return [
      runIdOf(name),
      r ? stateName(r.state) : waiting,
      p ? `${p.completedUnits}/${p.totalUnits}` : '',
      pct(m?.finalAverageAccuracy),
      pct(m?.meanAverageAccuracy),
      pct(m?.backwardTransfer),
      pct(m?.finalAverageKnowledge),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((s, c) => (c < 3 ? s.padEnd(widths[c]) : s.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  const errors = runs.filter((r) => r.error).map((r) => `${runIdOf(r.name)}: ${r.error!.code}: ${r.error!.message}`);
  return [
    `sweep ${sweepIdOf(sweep.name)}: ${stateName(sweep.state)} (${sweep.progress?.message ?? ''})`,
    ...(sweep.error ? [`error: ${sweep.error.code}: ${sweep.error.message}`] : []),
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...errors,
  ].join('\n');
}
