/**
 * A run's state in the store, runs/{run}/run.json, rewritten at every transition and finished
 * unit, so that GetRun/ListRuns answer after a restart and `resume` finds unfinished runs.
 */
import type { ObjectStore } from '@coin/platform';
import { readUnitJson } from '@coin/platform';
import type { RunRecord } from './run-controller.port.js';

export const RUN_STATE_FORMAT = 'coin-run-state/1';

interface RunStateFile extends RunRecord {
  readonly format: typeof RUN_STATE_FORMAT;
}

export const runStatePath = (id: string) => `runs/${id}/run.json`;

export async function writeRunState(store: ObjectStore, record: RunRecord): Promise<void> {
  const file: RunStateFile = { format: RUN_STATE_FORMAT, ...record };
  await store.put(runStatePath(record.id), `${JSON.stringify(file, null, 2)}\n`);
}

export async function readRunState(store: ObjectStore, id: string): Promise<RunRecord | undefined> {
  if (!(await store.exists(runStatePath(id)))) return undefined;
  const { format: _format, ...record } = await readUnitJson<RunStateFile>(store, runStatePath(id));
  return record;
}

/** The ids of every run with a state file. */
export async function listRunIds(store: ObjectStore): Promise<string[]> {
  const paths = await store.list('runs');
  return paths.map((p) => /^runs\/([^/]+)\/run\.json$/.exec(p)?.[1]).filter((id): id is string => id !== undefined);
}
