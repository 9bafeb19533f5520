/**
 * A unit's files as a local folder, for code that reads files (onnxruntime, the checkpoint loader):
 * the store's own folder when it has one, else a verified copy under a cache folder
 * (docs/file-formats.md#unit-manifest).
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CoinError, tempPathBeside, writeFileAtomic } from '@coin/core';
import { blobMismatch, type VerifyMode } from './blob-check.js';
import type { BlobInfo, ObjectStore } from './object-store.js';
import { checkStorePrefix, joinStorePath } from './store-path.js';
import { parseUnitManifest, UNIT_MANIFEST_FILE, type UnitManifest } from './unit-manifest.js';
import { unitState } from './unit-store.js';

/**
 * The folder holding the done unit at `prefix`. A store with a local folder (the file store) is
 * verified in place and its folder returned; otherwise the unit is downloaded to
 * `cacheDir/<prefix>` (into a temp folder beside, every blob checked against the manifest's sha256,
 * then renamed), and a cached copy whose manifest matches the store's is reused after a `verify`
 * check (default sha256). Throws UNIT.NOT_FOUND (NOT_FOUND) or UNIT.CORRUPT (DATA_LOSS).
 */
export async function materializeUnit(
  store: ObjectStore,
  prefix: string,
  cacheDir: string,
  options: { readonly verify?: VerifyMode } = {},
): Promise<string> {
  const folder = checkStorePrefix(prefix, false);
  const verify = options.verify ?? 'sha256';
  const inPlace = store.localPath?.(folder);
  if (inPlace !== undefined) {
    const state = await unitState(store, folder, { verify });
    if (state.state === 'absent') throw unitNotFound(store, folder);
    if (state.state === 'corrupt') throw unitCorrupt(store, folder, state.reason);
    return inPlace;
  }
  const manifestBytes = await readManifest(store, folder);
  const manifest = parseUnitManifest(manifestBytes);
  if ('invalid' in manifest) throw unitCorrupt(store, folder, manifest.invalid);
  const target = join(cacheDir, ...folder.split('/'));
  if (await cacheMatches(target, manifestBytes, manifest, verify)) return target;
  await mkdir(dirname(target), { recursive: true });
  const temp = tempPathBeside(target);
  try {
    for (const blob of manifest.blobs) await download(store, folder, blob, join(temp, blob.path));
    await writeFileAtomic(join(temp, UNIT_MANIFEST_FILE), manifestBytes);
    await rm(target, { recursive: true, force: true });
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    // Another process may have put the same copy there first: then it is as good as ours.
    if (!(e instanceof CoinError) && (await cacheMatches(target, manifestBytes, manifest, 'size'))) return target;
    throw e;
  }
  return target;
}

async function readManifest(store: ObjectStore, folder: string): Promise<Uint8Array> {
  try {
    return await store.get(joinStorePath(folder, UNIT_MANIFEST_FILE));
  } catch (e) {
    if (e instanceof CoinError && e.code === 'STORE.NOT_FOUND') throw unitNotFound(store, folder);
    throw e;
  }
}

async function download(store: ObjectStore, folder: string, blob: BlobInfo, localFile: string): Promise<void> {
  try {
    await store.getFile(joinStorePath(folder, blob.path), localFile);
  } catch (e) {
    if (e instanceof CoinError && e.code === 'STORE.NOT_FOUND') {
      throw unitCorrupt(store, folder, `blob ${blob.path} is missing`);
    }
    throw e;
  }
  const problem = await localBlobProblem(localFile, blob, 'sha256');
  if (problem !== undefined) throw unitCorrupt(store, folder, problem);
}

/** Whether `target` already holds this manifest's unit (same manifest bytes, blobs pass `verify`). */
async function cacheMatches(
  target: string,
  manifestBytes: Uint8Array,
  manifest: UnitManifest,
  verify: VerifyMode,
): Promise<boolean> {
  try {
    const cached = await readFile(join(target, UNIT_MANIFEST_FILE));
    if (!Buffer.from(manifestBytes).equals(cached)) return false;
  } catch {
    return false;
  }
  for (const blob of manifest.blobs) {
    if ((await localBlobProblem(join(target, blob.path), blob, verify)) !== undefined) return false;
  }
  return true;
}

async function localBlobProblem(file: string, blob: BlobInfo, verify: VerifyMode): Promise<string | undefined> {
  let size: number | undefined;
  try {
    size = (await stat(file)).size;
  } catch {
    size = undefined;
  }
  return blobMismatch(blob, size, async () => createReadStream(file), verify);
}

function unitNotFound(store: ObjectStore, folder: string): CoinError {
  return new CoinError(
    'UNIT.NOT_FOUND',
    'NOT_FOUND',
    `no unit at ${folder} in ${store.url} (no ${UNIT_MANIFEST_FILE})`,
    {
      hint: 'the unit has not been computed (or did not finish): run it first',
      details: { prefix: folder, store: store.url },
    },
  );
}

function unitCorrupt(store: ObjectStore, folder: string, reason: string): CoinError {
  return new CoinError('UNIT.CORRUPT', 'DATA_LOSS', `the unit at ${folder} in ${store.url} is corrupt: ${reason}`, {
    hint: 'delete the unit and compute it again',
    details: { prefix: folder, store: store.url, reason },
  });
}
