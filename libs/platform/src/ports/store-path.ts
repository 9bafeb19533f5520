/**
 * The object store's path rules (docs/file-formats.md#store-paths), shared by every adapter so that
 * a key valid on one backend is valid on all: '/'-separated, relative, no empty, `.` or `..`
 * segment, no backslash or NUL, and no segment named like the temp files adapters write beside a
 * blob before renaming it (core's tempPathBeside: `.<name>.tmp-<pid>-<hex>`).
 */
import { CoinError } from '@coin/core';

/** Whether a file name is a half-written temp file (tempPathBeside's pattern); listings skip these. */
export function isTempName(name: string): boolean {
  return /^\..*\.tmp-\d+-[0-9a-f]{8}$/.test(name);
}

function badPath(path: string, why: string): CoinError {
  return new CoinError('STORE.BAD_PATH', 'INVALID_ARGUMENT', `store path ${JSON.stringify(path)} ${why}`, {
    hint: "use a relative key of '/'-separated names, e.g. runs/<id>/stages/1/manifest.json",
    details: { path },
  });
}

/** The segments of a valid non-empty path; throws STORE.BAD_PATH (INVALID_ARGUMENT) otherwise. */
export function storePathSegments(path: string): string[] {
  if (typeof path !== 'string' || path.length === 0) throw badPath(String(path), 'is empty');
  if (path.startsWith('/')) throw badPath(path, 'is absolute');
  if (/[\\\0]/.test(path)) throw badPath(path, 'contains a backslash or NUL');
  const segments = path.split('/');
  for (const segment of segments) {
    if (segment === '') throw badPath(path, 'has an empty segment');
    if (segment === '.' || segment === '..') throw badPath(path, `has a "${segment}" segment`);
    if (isTempName(segment)) throw badPath(path, 'names a temporary file');
  }
  return segments;
}

/** Checks a blob path; returns it unchanged. */
export function checkStorePath(path: string): string {
  storePathSegments(path);
  return path;
}

/**
 * Normalises a prefix (a folder of the store): a trailing '/' is dropped; '' is the whole store
 * when `allowRoot` (listing), refused otherwise (deleting everything by accident).
 */
export function checkStorePrefix(prefix: string, allowRoot: boolean): string {
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (trimmed === '') {
    if (allowRoot) return '';
    throw badPath(prefix, 'is the store root; name a folder');
  }
  storePathSegments(trimmed);
  return trimmed;
}

/** `prefix/path`, or `path` when the prefix is the root. */
export function joinStorePath(prefix: string, path: string): string {
  return prefix === '' ? path : `${prefix}/${path}`;
}
