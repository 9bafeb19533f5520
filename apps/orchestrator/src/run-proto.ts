/**
 * A RunRecord as the API's resources: Run (stages and filled cells read from the store, metrics
 * from results.json once it succeeded), Progress and Operation (one per run, operations/{run}).
 */
import { status } from '@grpc/grpc-js';
import type { MetricsRecord, RunResults } from '@coin/pipeline';
import { planFor } from '@coin/pipeline';
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
import type { RunProgress, RunRecord, RunState } from './run-controller.port.js';
import { TERMINAL_STATES } from './run-controller.port.js';
import { runSpecToProto } from './spec-wire.js';

export const STATE_ENUM: Readonly<Record<RunState, State>> = {
  PENDING: State.STATE_PENDING,
  RUNNING: State.STATE_RUNNING,
  SUCCEEDED: State.STATE_SUCCEEDED,
  FAILED: State.STATE_FAILED,
  CANCELLING: State.STATE_CANCELLING,
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

export function progressMessage(id: string, p: RunProgress): Progress {
  const done = p.stages.done + p.evalCells.done + p.judgeCells.done;
  const total = p.stages.total + p.evalCells.total + p.judgeCells.total;
  return {
    name: runName(id),
    state: STATE_ENUM[p.state],
    fraction: p.state === 'SUCCEEDED' ? 1 : total > 0 ? done / total : 0,
    completedUnits: done,
    totalUnits: total,
    currentUnit: p.current?.label ?? '',
    currentUnitKind: KIND_ENUM[p.current?.kind ?? ''] ?? UnitKind.UNIT_KIND_UNSPECIFIED,
    step: p.step ?? 0,
    totalSteps: p.steps ?? 0,
    ...(p.loss !== undefined ? { loss: p.loss } : {}),
    message: p.message,
    updateTime: timestampOf(p.updatedAt),
  };
}

function errorMessage(record: RunRecord): ErrorInfo | undefined {
  const e = record.error;
  if (!e) return undefined;
  return {
    code: e.code,
    status: statusOf(e.kind),
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
  return { id: record.id, spec: record.spec, plan: await planFor(record.spec) };
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
  const resultsPath = `runs/${record.id}/results.json`;
  const results =
    record.state === 'SUCCEEDED' && (await store.exists(resultsPath))
      ? await readUnitJson<RunResults>(store, resultsPath)
      : undefined;
  const error = errorMessage(record);
  return {
    name: runName(record.id),
    spec: runSpecToProto(record.spec),
    state: STATE_ENUM[record.state],
    runKey: record.id,
    ...units,
    ...(results ? { metrics: metricsMessage(results.metrics), reportUri: resultsPath } : { reportUri: '' }),
    progress: progressMessage(record.id, record.progress),
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
    message: `run ${record.id} was cancelled`,
    hint: '',
    details: {},
    retryable: false,
  };
  return {
    name: operationName(record.id),
    target: runName(record.id),
    progress: progressMessage(record.id, record.progress),
    done,
    ...(record.state === 'FAILED' && error ? { error } : {}),
    ...(record.state === 'CANCELLED' ? { error: cancelled } : {}),
    ...(record.state === 'SUCCEEDED' && run ? { response: { run } } : {}),
    createTime: timestampOf(record.createdAt),
    ...(done ? { endTime: timestampOf(record.updatedAt) } : {}),
  };
}
