/**
 * Units over any ObjectStore (docs/file-formats.md#unit-manifest): commit a unit's files with its
 * manifest last, tell whether a unit is done, absent or corrupt, read its JSON blobs. Only the port
 * is used, so the same logic holds for the file store and S3.
 */
import { type Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CoinError, invalidArgument } from '@coin/core';
import { blobMismatch, type VerifyMode } from './blob-check.js';
import type { BlobInfo, ObjectStore } from './object-store.js';
import { checkStorePath, checkStorePrefix, isTempName, joinStorePath } from './store-path.js';
import {
  parseUnitManifest,
  UNIT_MANIFEST_FILE,
  UNIT_MANIFEST_FORMAT,
  type UnitManifest,
  type UnitState,
} from './unit-manifest.js';

/** What a unit is, recorded in its manifest. */
export interface UnitIdentity {
  readonly key: string;
  readonly kind: string;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** One file of a unit: `path` relative to the unit's prefix, contents from a local file or in memory. */
export type UnitFile =
  | { readonly path: string; readonly localFile: string }
  | { readonly path: string; readonly data: Uint8Array | string };

/**
 * Uploads every file under `prefix`, then writes `<prefix>/manifest.json` listing them (sorted by
 * path, with size and sha256): until that last write the unit reads as absent. Recommitting over an
 * older manifest replaces its blobs in place; a sha256 check meanwhile reads the unit as corrupt.
 */
export async function commitUnit(
  store: ObjectStore,
  prefix: string,
  unit: UnitIdentity,
  files: readonly UnitFile[],
): Promise<UnitManifest> {
  const folder = checkStorePrefix(prefix, false);
  checkUnitFiles(files);
  const blobs: BlobInfo[] = [];
  for (const file of files) {
    const target = joinStorePath(folder, file.path);
    const info = 'localFile' in file ? await store.putFile(target, file.localFile) : await store.put(target, file.data);
    blobs.push({ path: file.path, size: info.size, sha256: info.sha256 });
  }
  blobs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest: UnitManifest = {
    format: UNIT_MANIFEST_FORMAT,
    key: unit.key,
    kind: unit.kind,
    blobs,
    meta: unit.meta ?? {},
    createdAt: new Date().toISOString(),
  };
  await store.put(joinStorePath(folder, UNIT_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function checkUnitFiles(files: readonly UnitFile[]): void {
  const seen = new Set<string>();
  for (const file of files) {
    checkStorePath(file.path);
    if (file.path === UNIT_MANIFEST_FILE) {
      throw invalidArgument(
        'UNIT.RESERVED_PATH',
        `a unit file cannot be named ${UNIT_MANIFEST_FILE}: that name is the unit's commit marker`,
        'put the file in a subfolder or rename it',
        { path: file.path },
      );
    }
    if (seen.has(file.path)) {
      throw invalidArgument('UNIT.DUPLICATE_PATH', `the unit lists ${file.path} twice`, undefined, { path: file.path });
    }
    seen.add(file.path);
  }
}

/**
 * Commits every file under `localDir` (recursively, following links) as the unit at `prefix`.
 * Dot-folders (`.resume/`, `.git/`) and half-written temp files are skipped.
 */
export async function publishDir(
  store: ObjectStore,
  prefix: string,
  localDir: string,
  unit: UnitIdentity,
): Promise<UnitManifest> {
  const files: UnitFile[] = [];
  await collectFiles(localDir, '', new Set([await realpathOf(localDir)]), files);
  return commitUnit(store, prefix, unit, files);
}

async function realpathOf(dir: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch (e) {
    throw new CoinError('UNIT.DIR_NOT_FOUND', 'NOT_FOUND', `no folder ${dir} to publish`, {
      cause: e,
      details: { dir },
    });
  }
}

async function collectFiles(dir: string, relative: string, visited: Set<string>, out: UnitFile[]): Promise<void> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (isTempName(entry.name)) continue;
    const local = join(dir, entry.name);
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    const isDir = entry.isSymbolicLink() ? (await stat(local)).isDirectory() : entry.isDirectory();
    if (!isDir) {
      out.push({ path, localFile: local });
      continue;
    }
    if (entry.name.startsWith('.')) continue;
    const real = await realpath(local);
    if (visited.has(real)) continue; // a link back up the tree: its files are already listed
    visited.add(real);
    await collectFiles(local, path, visited, out);
  }
}

/** The unit's manifest when it is done, else absent (no manifest) or corrupt with the reason. */
export async function unitState(
  store: ObjectStore,
  prefix: string,
  options: { readonly verify?: VerifyMode } = {},
): Promise<UnitState> {
  const folder = checkStorePrefix(prefix, false);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(joinStorePath(folder, UNIT_MANIFEST_FILE));
  } catch (e) {
    if (e instanceof CoinError && e.code === 'STORE.NOT_FOUND') return { state: 'absent' };
    throw e;
  }
  const manifest = parseUnitManifest(bytes);
  if ('invalid' in manifest) return { state: 'corrupt', reason: manifest.invalid };
  for (const blob of manifest.blobs) {
    const problem = await blobProblem(store, joinStorePath(folder, blob.path), blob, options.verify ?? 'sha256');
    if (problem !== undefined) return { state: 'corrupt', reason: problem };
  }
  return { state: 'done', manifest };
}

/** Why the stored blob differs from what the manifest records, or undefined when it matches. */
async function blobProblem(
  store: ObjectStore,
  storePath: string,
  blob: BlobInfo,
  verify: VerifyMode,
): Promise<string | undefined> {
  try {
    return await blobMismatch(blob, await store.size(storePath), () => store.getStream(storePath), verify);
  } catch (e) {
    // Deleted between the size and the read: as missing as it gets.
    if (e instanceof CoinError && e.code === 'STORE.NOT_FOUND') return `blob ${blob.path} is missing`;
    throw e;
  }
}

/** A JSON blob, parsed; a blob that is not JSON is UNIT.BAD_JSON (DATA_LOSS) naming it. */
export async function readUnitJson<T = unknown>(store: ObjectStore, path: string): Promise<T> {
  const bytes = await store.get(path);
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  } catch (e) {
    throw new CoinError('UNIT.BAD_JSON', 'DATA_LOSS', `${path} in ${store.url} is not valid JSON`, {
      hint: 'the blob is damaged: recompute the unit that wrote it',
      cause: e,
      details: { path, store: store.url },
    });
  }
}
