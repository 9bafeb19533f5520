/**
 * A proto Run as text: the final matrices and metrics in `coin run`'s table (run-table.ts), a
 * one-line summary for `coin status`, and the cells of one run.
 */
import { Fidelity, type Run, type RunMetrics, State } from '@coin/contracts';
import type { Cell, MetricsRecord } from '@coin/pipeline';
import { matrixLines, metricsLine } from '../commands/run-table.js';

export const stateName = (s: State) => (State[s] ?? String(s)).replace(/^STATE_/, '');
export const runIdOf = (name: string) => name.replace(/^runs\//, '');

/** Rows per stage (stage index 1…n), a cell per task trained so far or evaluated (task index 1…). */
function matrix(cells: readonly { stageIndex: number; taskIndex: number; value: number }[], stages: number): Cell[][] {
  const rows: Cell[][] = Array.from({ length: stages }, () => []);
  for (const c of cells) {
    if (c.stageIndex < 1 || c.stageIndex > stages || c.taskIndex < 1) continue;
    const row = rows[c.stageIndex - 1];
    while (row.length < c.taskIndex) row.push(null);
    row[c.taskIndex - 1] = c.value;
  }
  return rows;
}

function metrics(m: RunMetrics | undefined, kind: 'accuracy' | 'knowledge'): MetricsRecord {
  if (!m) return {} as MetricsRecord;
  const r =
    kind === 'accuracy'
      ? {
          MAA: m.meanAverageAccuracy,
          BWT: m.backwardTransfer,
          final_average: m.finalAverageAccuracy,
          FWT: m.forwardTransfer,
        }
      : {
          MAA: m.meanAverageKnowledge,
          BWT: m.knowledgeBackwardTransfer,
          final_average: m.finalAverageKnowledge,
          FWT: m.knowledgeForwardTransfer,
        };
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as MetricsRecord;
}

/** The accuracy matrix of a run as its cells say (rows: after stage j; columns: task i). */
export function accuracyMatrix(run: Run): Cell[][] {
  return matrix(
    run.evalCells.map((c) => ({ stageIndex: c.stageIndex, taskIndex: c.taskIndex, value: c.accuracy })),
    run.stages.length,
  );
}

/** `coin run`'s final table, from the Run the orchestrator answers with. */
export function formatRun(run: Run): string {
  const tasks = run.spec?.taskOrder ?? [];
  const stages = run.stages.map((s) => s.task);
  const fidelity = run.spec?.fidelity === Fidelity.FIDELITY_STRICT ? 'strict' : 'coin';
  const judge = matrix(
    run.judgeCells.map((c) => ({ stageIndex: c.stageIndex, taskIndex: c.taskIndex, value: c.score })),
    run.stages.length,
  );
  return [
    ...matrixLines(`accuracy (${fidelity})`, tasks, stages, accuracyMatrix(run)),
    '',
    ...matrixLines('judge', tasks, stages, judge),
    '',
    metricsLine('accuracy', metrics(run.metrics, 'accuracy')),
    metricsLine('judge', metrics(run.metrics, 'knowledge')),
  ].join('\n');
}

/** One line per run for `coin status`. */
export function runLine(run: Run): string {
  const p = run.progress;
  const done = p ? `${p.completedUnits}/${p.totalUnits} units` : '';
  const method = run.spec ? `${run.spec.taskOrder.length} tasks` : '';
  return [runIdOf(run.name), stateName(run.state).padEnd(10), done, method, p?.message ?? '']
    .filter(Boolean)
    .join('  ');
}

/** One run in detail: state, progress, error, its stages and filled cells. */
export function formatRunDetail(run: Run): string {
  const lines = [`run ${runIdOf(run.name)}: ${stateName(run.state)}`];
  const p = run.progress;
  if (p)
    lines.push(
      `progress: ${p.completedUnits}/${p.totalUnits} units${p.currentUnit ? `, now ${p.currentUnit}` : ''}${p.message ? ` (${p.message})` : ''}`,
    );
  if (run.error)
    lines.push(`error: ${run.error.code}: ${run.error.message}${run.error.hint ? ` (hint: ${run.error.hint})` : ''}`);
  for (const s of run.stages)
    lines.push(
      `stage ${s.index} ${s.task}: ${stateName(s.state)}${s.finalLoss !== undefined ? ` loss ${s.finalLoss.toFixed(4)}` : ''}`,
    );
  lines.push(`evaluation cells: ${run.evalCells.length}, judge cells: ${run.judgeCells.length}`);
  if (run.evalCells.length > 0) lines.push('', formatRun(run));
  return lines.join('\n');
}
