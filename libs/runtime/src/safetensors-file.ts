/**
 * safetensors files on disk. Writes are atomic: the bytes go to a temp file in the same directory,
 * are flushed, and the temp file is renamed over the target, so a crash never leaves a half-written
 * checkpoint under the real name.
 */
import { readFile } from 'node:fs/promises';
import { CoinError, writeFileAtomic } from '@coin/core';
import { readSafetensors, writeSafetensors, type SafetensorsContents } from './safetensors.js';
import { type HostTensor } from './tensor.js';

export async function writeSafetensorsFile(
  path: string,
  tensors: Readonly<Record<string, HostTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(path, writeSafetensors(tensors, metadata));
}

export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CoinError('SAFETENSORS.NOT_FOUND', 'NOT_FOUND', `no safetensors file at ${path}`, {
        cause: e,
        details: { path },
      });
    }
    throw e;
  }
  return readSafetensors(bytes, { source: path });
}
