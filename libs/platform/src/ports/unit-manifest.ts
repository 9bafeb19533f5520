/**
 * A unit's output in the store: its blobs under a prefix and `manifest.json` written last, the
 * commit marker (ARCHITECTURE.md "Storage layout"). A unit is done when its manifest exists and
 * every blob it lists has the size and sha256 it records; anything else is not done (absent) or
 * corrupt (to be recomputed, never used). Layout: docs/file-formats.md#unit-manifest.
 */
import { isObject } from '@coin/core';
import type { BlobInfo } from './object-store.js';
import { storePathSegments } from './store-path.js';

export const UNIT_MANIFEST_FILE = 'manifest.json';
export const UNIT_MANIFEST_FORMAT = 'coin-unit/1';

export interface UnitManifest {
  readonly format: typeof UNIT_MANIFEST_FORMAT;
  /** The unit key (sha256 of its inputs and the code version). */
  readonly key: string;
  /** prep, pretrain, stage, eval, judge, report. */
  readonly kind: string;
  readonly blobs: readonly BlobInfo[];
  /** The unit's own record (its metrics, scores, timings): small JSON. */
  readonly meta: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

export type UnitState =
  | { readonly state: 'done'; readonly manifest: UnitManifest }
  | { readonly state: 'absent' }
  | { readonly state: 'corrupt'; readonly reason: string };

/**
 * Reads a manifest's bytes: the manifest, or why it is not one (a corrupt unit's reason). Blob
 * paths must be valid store paths, so a manifest cannot point outside its unit's prefix.
 */
export function parseUnitManifest(bytes: Uint8Array): UnitManifest | { readonly invalid: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    return { invalid: `${UNIT_MANIFEST_FILE} is not JSON (${(e as Error).message})` };
  }
  const why = manifestProblem(value);
  return why === undefined ? (value as UnitManifest) : { invalid: `${UNIT_MANIFEST_FILE} ${why}` };
}

function manifestProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'is not a JSON object';
  if (value.format !== UNIT_MANIFEST_FORMAT)
    return `has format ${JSON.stringify(value.format)}, not ${UNIT_MANIFEST_FORMAT}`;
  for (const field of ['key', 'kind', 'createdAt'] as const) {
    if (typeof value[field] !== 'string') return `lacks the string field ${field}`;
  }
  if (!isObject(value.meta)) return 'lacks the object field meta';
  if (!Array.isArray(value.blobs)) return 'lacks the array field blobs';
  const seen = new Set<string>();
  for (const [i, blob] of value.blobs.entries()) {
    const problem = blobProblem(blob);
    if (problem !== undefined) return `has a bad blobs[${i}]: ${problem}`;
    const path = (blob as BlobInfo).path;
    if (seen.has(path)) return `lists ${path} twice`;
    seen.add(path);
  }
  return undefined;
}

function blobProblem(blob: unknown): string | undefined {
  if (!isObject(blob)) return 'not an object';
  if (typeof blob.path !== 'string') return 'path is not a string';
  try {
    storePathSegments(blob.path);
  } catch (e) {
    return (e as Error).message;
  }
  if (blob.path === UNIT_MANIFEST_FILE) return `the manifest cannot list itself`;
  if (!Number.isSafeInteger(blob.size) || (blob.size as number) < 0) return `${blob.path}: size is not a byte count`;
  if (typeof blob.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(blob.sha256)) {
    return `${blob.path}: sha256 is not 64 lower-case hex digits`;
  }
  return undefined;
}
