/**
 * A sweep's view (pipeline's SweepView: sweeps/<id>/sweep.json and its runs' run.json) as the API's
 * resources: Sweep (grid, base, runs in grid order, state, progress summed over its runs, counts of
 * runs per state) and its Operation (operations/{sweep}).
 */
import { status } from '@grpc/grpc-js';
import { type ErrorKind, invalidArgument } from '@coin/core';
import { type ErrorInfo, type Operation, type Progress, State, type Sweep } from '@coin/contracts/nest';
import { decodeBase, decodeGrid, isTerminalSweep, type SweepStateName, type SweepView } from '@coin/pipeline';
import { runName, statusOf, timestampOf } from '@coin/service-host';
import { STATE_ENUM } from './run-proto.js';

export const SWEEP_STATE_ENUM: Readonly<Record<SweepStateName, State>> = {
  ...STATE_ENUM,
  CANCELLING: State.STATE_CANCELLING,
};

export const sweepName = (id: string) => `sweeps/${id}`;

export function parseSweepName(name: string): string {
  const m = /^sweeps\/([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(name);
  if (!m)
    throw invalidArgument('NAME.INVALID', `${JSON.stringify(name)} is not a sweep name`, 'expected sweeps/{sweep}', {
      name,
      expected: 'sweeps/{sweep}',
    });
  return m[1];
}

/** One line for a person: the runs per state and the units done. */
export function sweepLine(view: SweepView): string {
  const c = view.counts;
  const p = view.progress;
  const done = p.stagesDone + p.evalCellsDone + p.judgeCellsDone;
  const total = p.stagesTotal + p.evalCellsTotal + p.judgeCellsTotal;
  return `${view.state.toLowerCase()}: ${view.runs.length} runs (${c.SUCCEEDED} succeeded, ${c.RUNNING} running, ${c.PENDING} pending, ${c.FAILED} failed, ${c.CANCELLED} cancelled); units ${done}/${total} of the runs planned so far`;
}

function progressOf(view: SweepView): Progress {
  const p = view.progress;
  const done = p.stagesDone + p.evalCellsDone + p.judgeCellsDone;
  const total = p.stagesTotal + p.evalCellsTotal + p.judgeCellsTotal;
  // Runs not planned yet have no units counted: the fraction is over runs, each weighing the same.
  const fraction =
    view.runs.length === 0
      ? 1
      : view.runs.reduce((sum, r) => {
          if (r.state === 'SUCCEEDED') return sum + 1;
          const q = r.record?.progress;
          const t = q ? q.stagesTotal + q.evalCellsTotal + q.judgeCellsTotal : 0;
          return sum + (q && t > 0 ? (q.stagesDone + q.evalCellsDone + q.judgeCellsDone) / t : 0);
        }, 0) / view.runs.length;
  return {
    name: sweepName(view.record.sweepId),
    state: SWEEP_STATE_ENUM[view.state],
    fraction,
    completedUnits: done,
    totalUnits: total,
    currentUnit: '',
    currentUnitKind: 0,
    step: 0,
    totalSteps: 0,
    message: sweepLine(view),
    updateTime: timestampOf(view.updatedAt),
  };
}

function errorOf(view: SweepView): ErrorInfo | undefined {
  const e = view.record.error;
  return (
    e && {
      code: e.code,
      status: statusOf(e.kind as ErrorKind),
      message: e.message,
      hint: e.hint ?? '',
      details: {},
      retryable: false,
    }
  );
}

export function sweepMessage(view: SweepView): Sweep {
  const error = errorOf(view);
  return {
    name: sweepName(view.record.sweepId),
    grid: decodeGrid(view.record),
    base: decodeBase(view.record),
    state: SWEEP_STATE_ENUM[view.state],
    runs: view.record.runs.map(runName),
    progress: progressOf(view),
    createTime: timestampOf(view.record.createdAt),
    updateTime: timestampOf(view.updatedAt),
    ...(error ? { error } : {}),
    runStates: Object.fromEntries(Object.entries(view.counts).filter(([, n]) => n > 0)),
  };
}

/** The sweep's operation; its response, once every run has succeeded, is the sweep. */
export function sweepOperation(view: SweepView, sweep = sweepMessage(view)): Operation {
  const done = isTerminalSweep(view.state);
  const id = view.record.sweepId;
  const c = view.counts;
  const failed: ErrorInfo = errorOf(view) ?? {
    code: 'SWEEP.RUNS_FAILED',
    status: status.ABORTED,
    message: `${c.FAILED} of the ${view.runs.length} runs of sweep ${id} failed`,
    hint: 'see the failed runs with `coin sweep status`; CreateSweep again (coin sweep) retries them once',
    details: {},
    retryable: false,
  };
  const cancelled: ErrorInfo = {
    code: 'OPERATION.CANCELLED',
    status: status.CANCELLED,
    message: `sweep ${id} was cancelled`,
    hint: '',
    details: {},
    retryable: false,
  };
  return {
    name: `operations/${id}`,
    target: sweepName(id),
    progress: sweep.progress,
    done,
    ...(view.state === 'FAILED' ? { error: failed } : {}),
    ...(view.state === 'CANCELLED' ? { error: cancelled } : {}),
    ...(view.state === 'SUCCEEDED' ? { response: { sweep } } : {}),
    createTime: timestampOf(view.record.createdAt),
    ...(done ? { endTime: timestampOf(view.updatedAt) } : {}),
  };
}
