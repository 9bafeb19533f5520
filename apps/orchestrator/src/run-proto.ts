/**
 * A run's record (pipeline's RunRecord, runs/<id>/run.json) as the API's resources: Run (stages and
 * filled cells read from the store, metrics from results.json once it succeeded), Progress and
 * Operation (one per run, operations/{run}).
 */
import { status } from '@grpc/grpc-js';
import type { ErrorKind } from '@coin/core';
import { type MetricsRecord, planFor, type RunResults, runSpecToProto } from '@coin/pipeline';
import { type ObjectStore, readUnitJson, unitState } from '@coin/platform';
import {
  type ErrorInfo,
  type EvalCell,
  type JudgeCell,
  type Operation,
  type Progress,
  type Run,
  type RunMetrics,
  type Stage,
  State,
  UnitKind,
} from '@coin/contracts/nest';
import {
  evalCellMessage,
  judgeCellMessage,
  type PlannedRun,
  runName,
  stageMessage,
  statusOf,
  timestampOf,
} from '@coin/service-host';
import { type RunRecord, type RunStateName, TERMINAL_STATES } from './run-controller.port.js';

export const STATE_ENUM: Readonly<Record<RunStateName, State>> = {
  PENDING: State.STATE_PENDING,
  RUNNING: State.STATE_RUNNING,
  SUCCEEDED: State.STATE_SUCCEEDED,
  FAILED: State.STATE_FAILED,
  CANCELLED: State.STATE_CANCELLED,
};

const KIND_ENUM: Readonly<Record<string, UnitKind>> = {
  prep: UnitKind.UNIT_KIND_PREP,
  pretrain: UnitKind.UNIT_KIND_PRETRAIN,
  stage: UnitKind.UNIT_KIND_STAGE,
  eval: UnitKind.UNIT_KIND_EVAL,
  judge: UnitKind.UNIT_KIND_JUDGE,
};

export const operationName = (id: string) => `operations/${id}`;

/** Stages, evaluation cells and judge cells done, of all the run has. */
export function unitsDone(record: RunRecord): { readonly done: number; readonly total: number } {
  const p = record.progress;
  return {
    done: p.stagesDone + p.evalCellsDone + p.judgeCellsDone,
    total: p.stagesTotal + p.evalCellsTotal + p.judgeCellsTotal,
  };
}

/** One line for a person: the state, the counts and the unit in flight with its step. */
export function progressLine(record: RunRecord): string {
  const p = record.progress;
  const c = p.current;
  const where = c ? `: ${c.label}${c.steps ? ` ${c.step ?? 0}/${c.steps}` : ''}` : '';
  return `${record.state.toLowerCase()}: stages ${p.stagesDone}/${p.stagesTotal}, eval ${p.evalCellsDone}/${p.evalCellsTotal}, judge ${p.judgeCellsDone}/${p.judgeCellsTotal}${where}`;
}

export function progressMessage(record: RunRecord): Progress {
  const { done, total } = unitsDone(record);
  const c = record.progress.current;
  return {
    name: runName(record.runId),
    state: STATE_ENUM[record.state],
    fraction: record.state === 'SUCCEEDED' ? 1 : total > 0 ? done / total : 0,
    completedUnits: done,
    totalUnits: total,
    currentUnit: c?.label ?? '',
    currentUnitKind: KIND_ENUM[c?.kind ?? ''] ?? UnitKind.UNIT_KIND_UNSPECIFIED,
    step: c?.step ?? 0,
    totalSteps: c?.steps ?? 0,
    ...(c?.loss !== undefined ? { loss: c.loss } : {}),
    message: progressLine(record),
    updateTime: timestampOf(record.updatedAt),
  };
}

function errorMessage(record: RunRecord): ErrorInfo | undefined {
  const e = record.error;
  if (!e) return undefined;
  return {
    code: e.code,
    status: statusOf(e.kind as ErrorKind),
    message: e.message,
    hint: e.hint ?? '',
    details: {},
    retryable: ['UNAVAILABLE', 'INTERNAL'].includes(e.kind),
  };
}

function metricsMessage(m: RunResults['metrics']): RunMetrics {
  const v = (r: MetricsRecord, k: keyof MetricsRecord) => r[k] ?? 0;
  const fwt = (r: MetricsRecord) => (typeof r.FWT === 'number' ? r.FWT : undefined);
  const af = fwt(m.accuracy);
  const jf = fwt(m.judge);
  return {
    finalAverageAccuracy: v(m.accuracy, 'final_average'),
    meanAverageAccuracy: v(m.accuracy, 'MAA'),
    backwardTransfer: v(m.accuracy, 'BWT'),
    finalAverageKnowledge: v(m.judge, 'final_average'),
    meanAverageKnowledge: v(m.judge, 'MAA'),
    knowledgeBackwardTransfer: v(m.judge, 'BWT'),
    ...(af !== undefined ? { forwardTransfer: af } : {}),
    ...(jf !== undefined ? { knowledgeForwardTransfer: jf } : {}),
  };
}

export async function plannedRun(record: RunRecord): Promise<PlannedRun> {
  return { id: record.runId, spec: record.spec, plan: await planFor(record.spec) };
}

/** The stages and the filled cells, as the store has them now. */
async function unitsOf(store: ObjectStore, run: PlannedRun) {
  const state = (prefix: string) => unitState(store, prefix, { verify: 'size' });
  const stages: Stage[] = [];
  for (const s of run.plan.stages) stages.push(stageMessage(run, s, await state(s.prefix)));
  const evalCells: EvalCell[] = [];
  for (const c of [...run.plan.zeroShot, ...run.plan.evals.flat()]) {
    const m = evalCellMessage(run, c, await state(c.prefix));
    if (m.state === State.STATE_SUCCEEDED) evalCells.push(m);
  }
  const judgeCells: JudgeCell[] = [];
  for (const j of run.plan.judges) {
    const m = judgeCellMessage(run, j, await state(j.prefix));
    if (m.state === State.STATE_SUCCEEDED) judgeCells.push(m);
  }
  return { stages, evalCells, judgeCells };
}

/** The Run; `withUnits: false` (ListRuns) leaves out stages and cells, which read the store. */
export async function runMessage(store: ObjectStore, record: RunRecord, withUnits = true): Promise<Run> {
  const units = withUnits
    ? await unitsOf(store, await plannedRun(record))
    : { stages: [], evalCells: [], judgeCells: [] };
  const resultsPath = `runs/${record.runId}/results.json`;
  const results =
    record.state === 'SUCCEEDED' && (await store.exists(resultsPath))
      ? await readUnitJson<RunResults>(store, resultsPath)
      : undefined;
  const error = errorMessage(record);
  return {
    name: runName(record.runId),
    spec: runSpecToProto(record.spec),
    state: STATE_ENUM[record.state],
    runKey: record.runId,
    ...units,
    ...(results ? { metrics: metricsMessage(results.metrics), reportUri: resultsPath } : { reportUri: '' }),
    progress: progressMessage(record),
    sweep: '',
    ...(error ? { error } : {}),
    createTime: timestampOf(record.createdAt),
    updateTime: timestampOf(record.updatedAt),
  };
}

/** The run's operation; its response (when done and succeeded) is the run itself. */
export function operationMessage(record: RunRecord, run?: Run): Operation {
  const done = TERMINAL_STATES.has(record.state);
  const error = errorMessage(record);
  const cancelled: ErrorInfo = {
    code: 'OPERATION.CANCELLED',
    status: status.CANCELLED,
    message: `run ${record.runId} was cancelled`,
    hint: '',
    details: {},
    retryable: false,
  };
  return {
    name: operationName(record.runId),
    target: runName(record.runId),
    progress: progressMessage(record),
    done,
    ...(record.state === 'FAILED' && error ? { error } : {}),
    ...(record.state === 'CANCELLED' ? { error: cancelled } : {}),
    ...(record.state === 'SUCCEEDED' && run ? { response: { run } } : {}),
    createTime: timestampOf(record.createdAt),
    ...(done ? { endTime: timestampOf(record.updatedAt) } : {}),
  };
}
