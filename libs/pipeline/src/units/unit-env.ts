/**
 * What a unit body runs with: the store, a local folder for materialised units and scratch work,
 * ORT session options, progress and cancellation. A worker process rebuilds it from its job.
 */
import { join } from 'node:path';
import { materializeUnit, type ObjectStore } from '@coin/platform';
import type { SessionOptions } from '@coin/runtime';

/** What a unit reports while it runs (the CLI draws progress bars from these). */
export type UnitProgress =
  | { readonly type: 'stage-start'; readonly stage: number; readonly name: string; readonly steps: number }
  | { readonly type: 'step'; readonly step: number; readonly steps: number; readonly loss: number }
  | { readonly type: 'pretrain'; readonly step: number; readonly steps: number; readonly loss: number }
  | { readonly type: 'eval'; readonly task: string; readonly done: number; readonly total: number };

export interface UnitEnv {
  readonly store: ObjectStore;
  /** Local folder: materialised units (for stores without local paths), scratch and resumable work. */
  readonly cacheDir: string;
  readonly session: SessionOptions;
  readonly signal?: AbortSignal;
  progress(event: UnitProgress): void;
}

/** A unit's files as a local folder (verified against its manifest). */
export async function unitFiles(env: UnitEnv, prefix: string): Promise<string> {
  // The run checked every unit's sha256 when it looked it up; here the sizes suffice.
  return join(await materializeUnit(env.store, prefix, join(env.cacheDir, 'units'), { verify: 'size' }), 'files');
}

/** A scratch folder for one unit's output, laid out as it is published: `<dir>/files/…`. */
export function scratchDir(env: UnitEnv, key: string): string {
  return join(env.cacheDir, 'scratch', key);
}
