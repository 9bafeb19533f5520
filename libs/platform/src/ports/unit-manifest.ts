/**
 * A unit's output in the store: its blobs under a prefix and `manifest.json` written last, the
 * commit marker (ARCHITECTURE.md "Storage layout"). A unit is done when its manifest exists and
 * every blob it lists has the size and sha256 it records; anything else is not done (absent) or
 * corrupt (to be recomputed, never used).
 */
import type { BlobInfo } from './object-store.js';

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
