/**
 * A sweep's state derived from its record and its runs' run.json (docs/protocol.md#sweeps): each run
 * submitted by the current attempt has the state of its run.json; a run not submitted yet is
 * PENDING (CANCELLED once the sweep is cancelled, SUCCEEDED when the store already has it). The
 * sweep is RUNNING while any run is not finished, then SUCCEEDED when every run has, FAILED when any
 * failed, CANCELLED when any was cancelled; CANCELLING between a cancel and its runs' end.
 */
import { type RunProgressView, type RunRecord, type RunStateName, TERMINAL_STATES } from '../bus/run-state.js';
import type { SweepRecord } from './sweep-state.js';

export type SweepStateName = RunStateName | 'CANCELLING';

export interface SweepRunView {
  readonly runId: string;
  readonly state: RunStateName;
  /** Submitted by the current attempt (or found already succeeded). */
  readonly submitted: boolean;
  readonly record?: RunRecord;
}

export interface SweepView {
  readonly record: SweepRecord;
  readonly state: SweepStateName;
  readonly runs: readonly SweepRunView[];
  /** Runs in each state. */
  readonly counts: Readonly<Record<RunStateName, number>>;
  /** Stages, evaluation and judge cells done and planned, summed over the runs planned so far. */
  readonly progress: Omit<RunProgressView, 'current'>;
  /** Last change of the sweep or of any of its runs. */
  readonly updatedAt: string;
}

/** The view of `record` given its runs' records (undefined: no run.json yet). */
export function sweepView(record: SweepRecord, runRecords: readonly (RunRecord | undefined)[]): SweepView {
  const cancelled = record.cancelledAt !== undefined;
  const runs = record.runs.map((runId, k): SweepRunView => {
    const r = runRecords[k];
    const submitted = k < record.attempt.submitted;
    const state: RunStateName = submitted
      ? (r?.state ?? 'PENDING')
      : r?.state === 'SUCCEEDED'
        ? 'SUCCEEDED'
        : cancelled
          ? 'CANCELLED'
          : 'PENDING';
    return { runId, state, submitted, ...(r ? { record: r } : {}) };
  });
  const counts = { PENDING: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0, CANCELLED: 0 };
  for (const r of runs) counts[r.state] += 1;
  const finished = runs.every((r) => TERMINAL_STATES.has(r.state));
  const state: SweepStateName = record.error
    ? 'FAILED'
    : !finished
      ? cancelled
        ? 'CANCELLING'
        : runs.some((r) => r.state !== 'PENDING')
          ? 'RUNNING'
          : 'PENDING'
      : counts.SUCCEEDED === runs.length
        ? 'SUCCEEDED'
        : counts.FAILED > 0
          ? 'FAILED'
          : 'CANCELLED';
  const progress = {
    stagesDone: 0,
    stagesTotal: 0,
    evalCellsDone: 0,
    evalCellsTotal: 0,
    judgeCellsDone: 0,
    judgeCellsTotal: 0,
  };
  for (const r of runs) {
    const p = r.record?.progress;
    if (!p) continue;
    progress.stagesDone += p.stagesDone;
    progress.stagesTotal += p.stagesTotal;
    progress.evalCellsDone += p.evalCellsDone;
    progress.evalCellsTotal += p.evalCellsTotal;
    progress.judgeCellsDone += p.judgeCellsDone;
    progress.judgeCellsTotal += p.judgeCellsTotal;
  }
  const updatedAt = runRecords.reduce(
    (latest, r) => (r && r.updatedAt > latest ? r.updatedAt : latest),
    record.updatedAt,
  );
  return { record, state, runs, counts, progress, updatedAt };
}

export const isTerminalSweep = (s: SweepStateName) => s !== 'CANCELLING' && TERMINAL_STATES.has(s);
