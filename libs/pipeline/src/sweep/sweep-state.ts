/**
 * A sweep's state as the orchestrator keeps it (docs/protocol.md#sweeps): `sweeps/<id>/sweep.json`
 * in the object store — its grid and base (proto, base64), the ids of its runs in grid order, how
 * many of them the current attempt has submitted, and whether it was cancelled. The runs' own states
 * are their run.json files; a sweep's state is derived from them (sweepView), never stored twice.
 * The file grows with the run ids only (about 40 bytes a run), and is never kept in etcd.
 */
import { CoinError } from '@coin/core';
import { RunSpec as ProtoRunSpec, SweepGrid } from '@coin/contracts';
import { type ObjectStore, readUnitJson } from '@coin/platform';

export const SWEEP_STATE_FORMAT = 'coin-sweep-state-1';

export interface SweepAttempt {
  /** 1 for the first; CreateSweep of a FAILED or CANCELLED sweep starts the next. */
  readonly number: number;
  readonly startedAt: string;
  /** Runs submitted so far, in grid order: runs[0, submitted) have been, the rest wait for a slot. */
  readonly submitted: number;
}

export interface SweepRecord {
  readonly format: typeof SWEEP_STATE_FORMAT;
  readonly sweepId: string;
  /** proto/coin/v1 SweepGrid, binary, base64. */
  readonly grid: string;
  /** proto/coin/v1 RunSpec (the base), binary, base64. */
  readonly base: string;
  /** Run ids in grid order. */
  readonly runs: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly attempt: SweepAttempt;
  /** Set by CancelSweep; cleared when a new attempt starts. */
  readonly cancelledAt?: string;
  /** Why the sweep cannot go on (its grid no longer expands to its runs). */
  readonly error?: { readonly code: string; readonly kind: string; readonly message: string; readonly hint?: string };
}

/** A new sweep's record: attempt 1, nothing submitted. */
export function newSweepRecord(
  expanded: { readonly id: string; readonly runIds: readonly string[] },
  grid: SweepGrid,
  base: ProtoRunSpec,
  now = new Date().toISOString(),
): SweepRecord {
  return {
    format: SWEEP_STATE_FORMAT,
    sweepId: expanded.id,
    grid: encodeGrid(grid),
    base: encodeBase(base),
    runs: expanded.runIds,
    createdAt: now,
    updatedAt: now,
    attempt: { number: 1, startedAt: now, submitted: 0 },
  };
}

export const sweepStatePath = (id: string) => `sweeps/${id}/sweep.json`;

export const encodeGrid = (grid: SweepGrid) => Buffer.from(SweepGrid.encode(grid).finish()).toString('base64');
export const decodeGrid = (record: SweepRecord) => SweepGrid.decode(Buffer.from(record.grid, 'base64'));
export const encodeBase = (base: ProtoRunSpec) => Buffer.from(ProtoRunSpec.encode(base).finish()).toString('base64');
export const decodeBase = (record: SweepRecord) => ProtoRunSpec.decode(Buffer.from(record.base, 'base64'));

export async function writeSweepState(store: ObjectStore, record: SweepRecord): Promise<void> {
  await store.put(sweepStatePath(record.sweepId), `${JSON.stringify(record, null, 1)}\n`);
}

export async function readSweepState(store: ObjectStore, id: string): Promise<SweepRecord | undefined> {
  if (!(await store.exists(sweepStatePath(id)))) return undefined;
  const record = await readUnitJson<SweepRecord>(store, sweepStatePath(id));
  if (record.format !== SWEEP_STATE_FORMAT || !Array.isArray(record.runs) || !record.attempt)
    throw new CoinError(
      'SWEEP.BAD_STATE',
      'DATA_LOSS',
      `${sweepStatePath(id)} is not a ${SWEEP_STATE_FORMAT} sweep state`,
      { hint: 'remove it and create the sweep again: its finished runs and units are kept' },
    );
  return record;
}

/** Every sweep that has a state in the store. */
export async function listSweepStates(store: ObjectStore): Promise<SweepRecord[]> {
  const ids = (await store.list('sweeps'))
    .map((path) => /^sweeps\/([^/]+)\/sweep\.json$/.exec(path)?.[1])
    .filter((id): id is string => id !== undefined);
  const records = await Promise.all(ids.map((id) => readSweepState(store, id)));
  return records.filter((r): r is SweepRecord => r !== undefined);
}
