/**
 * What a unit body runs with: the store, a local folder for materialised units and scratch work,
 * ORT session options, progress and cancellation. A worker process rebuilds it from its job.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { materializeUnit, type ObjectStore, publishDir } from '@coin/platform';
import type { JudgeBackend } from '@coin/metrics';
import type { SessionOptions } from '@coin/runtime';

/** What a unit reports while it runs (the CLI draws progress bars from these). */
export type UnitProgress =
  | { readonly type: 'stage-start'; readonly stage: number; readonly name: string; readonly steps: number }
  | { readonly type: 'step'; readonly step: number; readonly steps: number; readonly loss: number }
  | { readonly type: 'pretrain'; readonly step: number; readonly steps: number; readonly loss: number }
  | { readonly type: 'eval'; readonly task: string; readonly done: number; readonly total: number }
  | { readonly type: 'judge'; readonly task: string; readonly done: number; readonly total: number };

export interface UnitEnv {
  readonly store: ObjectStore;
  /** Local folder: materialised units (for stores without local paths), scratch and resumable work. */
  readonly cacheDir: string;
  readonly session: SessionOptions;
  readonly signal?: AbortSignal;
  /** The backend judge units use; absent: the spec's own, made from this process's environment. */
  readonly judge?: JudgeBackend;
  progress(event: UnitProgress): void;
}

/** A unit's files as a local folder (verified against its manifest). */
export async function unitFiles(env: UnitEnv, prefix: string): Promise<string> {
  // The run checked every unit's sha256 when it looked it up; here the sizes suffice.
  return join(await materializeUnit(env.store, prefix, join(env.cacheDir, 'units'), { verify: 'size' }), 'files');
}

/**
 * Publishes one unit: `write` fills `files` (the unit's files, as `<prefix>/files/…` will hold them)
 * and may use `scratch` for anything else; the blobs go up, the manifest last, with the meta `write`
 * returns. The scratch folder is removed however it ends.
 */
export async function publishUnit(
  env: UnitEnv,
  unit: { readonly key: string; readonly prefix: string },
  kind: string,
  write: (files: string, scratch: string) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const scratch = join(env.cacheDir, 'scratch', unit.key);
  const staging = join(scratch, 'publish');
  await rm(scratch, { recursive: true, force: true });
  await mkdir(join(staging, 'files'), { recursive: true });
  try {
    const meta = await write(join(staging, 'files'), scratch);
    await publishDir(env.store, unit.prefix, staging, { key: unit.key, kind, meta });
    return meta;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
