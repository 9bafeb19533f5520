/** The one check of a stored or copied blob against what its unit's manifest records. */
import { createHash } from 'node:crypto';
import type { BlobInfo } from './object-store.js';

/** How blobs are checked: `size` compares sizes only (cheap), `sha256` reads every byte. */
export type VerifyMode = 'size' | 'sha256';

/**
 * Why a blob differs from its manifest entry, or undefined when it matches. `size` is the blob's
 * actual size (undefined: missing); `read` streams its bytes and is called only for `sha256`.
 */
export async function blobMismatch(
  blob: BlobInfo,
  size: number | undefined,
  read: () => Promise<AsyncIterable<Uint8Array>>,
  verify: VerifyMode,
): Promise<string | undefined> {
  if (size === undefined) return `blob ${blob.path} is missing`;
  if (size !== blob.size) return `blob ${blob.path} has ${size} bytes, the manifest records ${blob.size}`;
  if (verify === 'size') return undefined;
  const hash = createHash('sha256');
  for await (const chunk of await read()) hash.update(chunk);
  const sha256 = hash.digest('hex');
  if (sha256 === blob.sha256) return undefined;
  return `blob ${blob.path} has sha256 ${sha256}, the manifest records ${blob.sha256}`;
}
