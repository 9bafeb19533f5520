/**
 * safetensors files on disk. Writes are atomic: the bytes go to a temp file in the same directory,
 * are flushed, and the temp file is renamed over the target, so a crash never leaves a half-written
 * checkpoint under the real name.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CoinError } from '@coin/core';
import { readSafetensors, writeSafetensors, type SafetensorsContents } from './safetensors.js';
import { type HostTensor } from './tensor.js';

/** Writes `bytes` to `path` via a temp file + fsync + rename. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

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
      throw new CoinError('SAFETENSORS.NOT_FOUND', 'NOT_FOUND', `no safetensors file at ${path}`, { cause: e, details: { path } });
    }
    throw e;
  }
  return readSafetensors(bytes, { source: path });
}
