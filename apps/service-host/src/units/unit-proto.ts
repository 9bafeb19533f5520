/**
 * A unit and its state in the store as the proto resources the getters answer with (Stage,
 * EvalCell, JudgeCell, Dataset). Done = SUCCEEDED with what its manifest records; absent =
 * PENDING; corrupt = FAILED with a DATA_LOSS error (it will be recomputed).
 */
import { CoinError } from '@coin/core';
import type { EvalUnit, JudgeUnit, StageUnit } from '@coin/pipeline';
import type { UnitManifest, UnitState } from '@coin/platform';
import { type Dataset, type ErrorInfo, type EvalCell, type JudgeCell, type Stage, State } from '@coin/contracts/nest';

/** google.protobuf.Timestamp as the Nest flavour carries it (useDate=false). */
export interface Timestamp {
  readonly seconds: number;
  readonly nanos: number;
}
import { errorInfoOf } from '../grpc-status.js';
import type { PlannedRun } from './run-units.js';
import { evalCellName, judgeCellName, stageName } from './resource-names.js';
import { taskIndexOf } from './run-units.js';

export function timestampOf(iso: string | Date): Timestamp {
  const ms = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

interface StateFields {
  readonly state: State;
  readonly manifestUri: string;
  readonly error?: ErrorInfo;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly manifest?: UnitManifest;
}

function stateFields(prefix: string, s: UnitState): StateFields {
  if (s.state === 'done')
    return {
      state: State.STATE_SUCCEEDED,
      manifestUri: `${prefix}/manifest.json`,
      meta: s.manifest.meta,
      manifest: s.manifest,
    };
  if (s.state === 'absent') return { state: State.STATE_PENDING, manifestUri: '', meta: {} };
  const error = errorInfoOf(
    new CoinError('UNIT.CORRUPT', 'DATA_LOSS', `unit ${prefix} is corrupt: ${s.reason}`, {
      hint: 'the run recomputes it when it next needs it',
    }),
  );
  return { state: State.STATE_FAILED, manifestUri: '', meta: {}, error };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A {coin, strict} score in the run's fidelity. */
const scoreIn = (v: unknown, fidelity: string) => num((v as Record<string, unknown> | undefined)?.[fidelity]) ?? 0;

export function stageMessage(run: PlannedRun, stage: StageUnit, s: UnitState): Stage {
  const f = stateFields(stage.prefix, s);
  const finalLoss = num(f.meta.last_loss);
  return {
    name: stageName(run.id, stage.index),
    index: stage.index,
    task: stage.tasks.join(','),
    state: f.state,
    dataset: run.plan.world.prefix,
    parentStage: stage.index > 1 ? stageName(run.id, stage.index - 1) : '',
    unitKey: stage.key,
    manifestUri: f.manifestUri,
    steps: num(f.meta.steps) ?? 0,
    ...(finalLoss !== undefined ? { finalLoss } : {}),
    ...(f.error ? { error: f.error } : {}),
    ...(f.manifest ? { updateTime: timestampOf(f.manifest.createdAt) } : {}),
  };
}

export function evalCellMessage(run: PlannedRun, cell: EvalUnit, s: UnitState): EvalCell {
  const f = stateFields(cell.prefix, s);
  const stage = cell.stage?.index ?? 0;
  return {
    name: evalCellName(run.id, stage, cell.task),
    stageIndex: stage,
    taskIndex: taskIndexOf(run, cell.task),
    task: cell.task,
    state: f.state,
    accuracy: scoreIn(f.meta.accuracy, run.spec.fidelity),
    sampleCount: num(f.meta.count) ?? 0,
    unitKey: cell.key,
    manifestUri: f.manifestUri,
    ...(f.error ? { error: f.error } : {}),
  };
}

export function judgeCellMessage(run: PlannedRun, cell: JudgeUnit, s: UnitState): JudgeCell {
  const f = stateFields(cell.prefix, s);
  const stage = cell.eval.stage?.index ?? 0;
  return {
    name: judgeCellName(run.id, stage, cell.eval.task),
    stageIndex: stage,
    taskIndex: taskIndexOf(run, cell.eval.task),
    task: cell.eval.task,
    state: f.state,
    score: scoreIn(f.meta.score, run.spec.fidelity),
    judgedCount: num(f.meta.n) ?? 0,
    unparsedCount: num(f.meta.parse_failures) ?? 0,
    unitKey: cell.key,
    manifestUri: f.manifestUri,
    ...(f.error ? { error: f.error } : {}),
  };
}

/** A prepared dataset (a prep unit's folder) by its key; its counts come from the manifest meta. */
export function datasetMessage(key: string, s: UnitState): Dataset {
  const prefix = `datasets/${key}`;
  const f = stateFields(prefix, s);
  // Recorded as { "<task>/train": n, "<task>/test": n } (docs/file-formats.md#unit-manifest).
  const counts = (f.meta.counts ?? {}) as Record<string, unknown>;
  const total = (split: string) =>
    Object.entries(counts).reduce((sum, [k, n]) => sum + (k.endsWith(`/${split}`) ? (num(n) ?? 0) : 0), 0);
  return {
    name: prefix,
    state: f.state,
    trainCount: total('train'),
    testCount: total('test'),
    manifestUri: f.manifestUri,
    ...(f.error ? { error: f.error } : {}),
    ...(f.manifest ? { prepareTime: timestampOf(f.manifest.createdAt) } : {}),
  };
}
