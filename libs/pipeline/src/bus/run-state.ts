/**
 * A submitted run's state as the orchestrator keeps it (docs/protocol.md#runs-over-the-event-bus):
 * `runs/<id>/run.json` in the object store — its lifecycle state, its spec in proto/coin/v1 form and
 * how far it has got — so that a restarted orchestrator finds every run it must resume.
 */
import { CoinError } from '@coin/core';
import { RunSpec as ProtoRunSpec } from '@coin/contracts';
import { type ObjectStore, readUnitJson } from '@coin/platform';
import type { RunEvent } from '../run/events.js';
import type { RunSpec } from '../spec/run-spec.js';

export const RUN_STATE_FORMAT = 'coin-run-state-1';
export const RUN_STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunStateName = (typeof RUN_STATES)[number];
export const TERMINAL_STATES: ReadonlySet<RunStateName> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export interface RunProgressView {
  readonly stagesDone: number;
  readonly stagesTotal: number;
  readonly evalCellsDone: number;
  readonly evalCellsTotal: number;
  readonly judgeCellsDone: number;
  readonly judgeCellsTotal: number;
  /** The unit in flight, with its latest step (and loss, while training). */
  readonly current?: {
    readonly kind: string;
    readonly label: string;
    readonly step?: number;
    readonly steps?: number;
    readonly loss?: number;
  };
}

export interface RunRecord {
  readonly format: typeof RUN_STATE_FORMAT;
  readonly runId: string;
  readonly state: RunStateName;
  /** The spec as proto/coin/v1 RunSpec, binary, base64 (what a resumed run is read back from). */
  readonly specProto: string;
  /** The resolved spec, for reading (results.json records the same). */
  readonly spec: RunSpec;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly progress: RunProgressView;
  /** Why it failed, when FAILED. */
  readonly error?: { readonly code: string; readonly kind: string; readonly message: string; readonly hint?: string };
  /** Store path of its results.json, when SUCCEEDED. */
  readonly results?: string;
}

export const runStatePath = (id: string) => `runs/${id}/run.json`;

export const EMPTY_PROGRESS: RunProgressView = {
  stagesDone: 0,
  stagesTotal: 0,
  evalCellsDone: 0,
  evalCellsTotal: 0,
  judgeCellsDone: 0,
  judgeCellsTotal: 0,
};

export function protoSpecOf(record: RunRecord): ProtoRunSpec {
  return ProtoRunSpec.decode(Buffer.from(record.specProto, 'base64'));
}

export function encodeSpecProto(proto: ProtoRunSpec): string {
  return Buffer.from(ProtoRunSpec.encode(proto).finish()).toString('base64');
}

export async function writeRunState(store: ObjectStore, record: RunRecord): Promise<void> {
  await store.put(runStatePath(record.runId), `${JSON.stringify(record, null, 2)}\n`);
}

export async function readRunState(store: ObjectStore, id: string): Promise<RunRecord | undefined> {
  if (!(await store.exists(runStatePath(id)))) return undefined;
  const record = await readUnitJson<RunRecord>(store, runStatePath(id));
  if (record.format !== RUN_STATE_FORMAT || !RUN_STATES.includes(record.state))
    throw new CoinError('RUN.BAD_STATE', 'DATA_LOSS', `${runStatePath(id)} is not a ${RUN_STATE_FORMAT} run state`, {
      hint: 'remove it and submit the run again: finished units are kept',
    });
  return record;
}

/** Every run that has a state in the store. */
export async function listRunStates(store: ObjectStore): Promise<RunRecord[]> {
  const ids = (await store.list('runs'))
    .map((path) => /^runs\/([^/]+)\/run\.json$/.exec(path)?.[1])
    .filter((id): id is string => id !== undefined);
  const records = await Promise.all(ids.map((id) => readRunState(store, id)));
  return records.filter((r): r is RunRecord => r !== undefined);
}

/** The progress after one of executeRun's events. */
export function advance(p: RunProgressView, e: RunEvent): RunProgressView {
  switch (e.type) {
    case 'plan':
      return {
        ...EMPTY_PROGRESS,
        stagesTotal: e.plan.stages.length,
        evalCellsTotal: e.plan.zeroShot.length + e.plan.evals.flat().length,
        judgeCellsTotal: e.plan.judges.length,
      };
    case 'unit-start':
      return { ...p, current: { kind: e.kind, label: e.label } };
    case 'unit-done': {
      const { current: _, ...rest } = p;
      if (e.kind === 'stage') return { ...rest, stagesDone: p.stagesDone + e.units };
      if (e.kind === 'eval') return { ...rest, evalCellsDone: p.evalCellsDone + e.units };
      if (e.kind === 'judge') return { ...rest, judgeCellsDone: p.judgeCellsDone + e.units };
      return rest;
    }
    case 'progress': {
      const n = (k: string) => (typeof e.event[k] === 'number' ? (e.event[k] as number) : undefined);
      const step = n('step') ?? n('done');
      const steps = n('steps') ?? n('total');
      const loss = n('loss');
      return {
        ...p,
        current: {
          kind: p.current?.kind ?? String(e.event.type),
          label: e.label,
          ...(step !== undefined ? { step } : {}),
          ...(steps !== undefined ? { steps } : {}),
          ...(loss !== undefined && Number.isFinite(loss) ? { loss } : {}),
        },
      };
    }
    default:
      return p;
  }
}
