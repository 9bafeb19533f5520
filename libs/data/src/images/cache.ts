import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, sha256Hex } from '@coin/core';
import { CLIP_MEAN, CLIP_STD, preprocessImage, type PreprocessParams } from './preprocess.js';

/**
 * On-disk cache of preprocessed image tensors. The key is the sha256 of the image bytes plus the
 * preprocessing parameters, so renamed or duplicated files share one entry and a changed
 * parameter never returns a stale tensor.
 *
 * File format (little-endian): "CTEN", u32 version, u32 C, u32 H, u32 W, then C*H*W float32.
 * Entries are written to a unique temporary file and renamed into place, so a concurrent reader
 * sees either no entry or a complete one; an entry that fails its size check counts as a miss.
 */
const MAGIC = 0x4e455443; // "CTEN" read as little-endian u32
const FORMAT_VERSION = 1;
const HEADER_BYTES = 20;
/** Bump when the preprocessing code changes its output, so old entries are not reused. */
const PIPELINE_VERSION = 1;
const LITTLE_ENDIAN = endianness() === 'LE';

export class ImageTensorCache {
  constructor(readonly dir: string) {}

  /** sha256 over the image content hash and the parameters (defaults filled in). */
  keyFor(bytes: Uint8Array, params: PreprocessParams): string {
    return sha256Hex(
      canonicalJson({
        image: sha256Hex(bytes),
        pipeline: PIPELINE_VERSION,
        size: params.size,
        mode: params.mode,
        mean: params.mean ?? CLIP_MEAN,
        std: params.std ?? CLIP_STD,
      }),
    );
  }

  pathFor(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  /** The cached tensor [3, S, S], or undefined on a miss (absent or unreadable entry). */
  async get(bytes: Uint8Array, params: PreprocessParams): Promise<Float32Array | undefined> {
    return this.read(this.keyFor(bytes, params), params.size);
  }

  private async read(key: string, size: number): Promise<Float32Array | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(this.pathFor(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return decodeEntry(buf, size);
  }

  /** Returns the cached tensor, or preprocesses the bytes and stores the result. */
  async getOrCompute(bytes: Uint8Array, params: PreprocessParams, source?: string): Promise<Float32Array> {
    const key = this.keyFor(bytes, params); // a sha256 over the whole image: once per call
    const hit = await this.read(key, params.size);
    if (hit) return hit;
    const tensor = await preprocessImage(bytes, params, source);
    await this.put(key, tensor, params.size);
    return tensor;
  }

  private async put(key: string, tensor: Float32Array, size: number): Promise<void> {
    const path = this.pathFor(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const buf = Buffer.alloc(HEADER_BYTES + tensor.length * 4);
    buf.writeUInt32LE(MAGIC, 0);
    buf.writeUInt32LE(FORMAT_VERSION, 4);
    buf.writeUInt32LE(3, 8);
    buf.writeUInt32LE(size, 12);
    buf.writeUInt32LE(size, 16);
    if (LITTLE_ENDIAN) buf.set(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength), HEADER_BYTES);
    else for (let i = 0; i < tensor.length; i++) buf.writeFloatLE(tensor[i], HEADER_BYTES + i * 4);
    const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, buf);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}

function decodeEntry(buf: Buffer, size: number): Float32Array | undefined {
  const expected = HEADER_BYTES + 3 * size * size * 4;
  if (buf.length !== expected) return undefined;
  if (buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== FORMAT_VERSION) return undefined;
  if (buf.readUInt32LE(8) !== 3 || buf.readUInt32LE(12) !== size || buf.readUInt32LE(16) !== size) return undefined;
  const out = new Float32Array(3 * size * size);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(buf.subarray(HEADER_BYTES));
  else for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(HEADER_BYTES + i * 4);
  return out;
}
