/**
 * Uploads one blob of known size, hashing it on the way: up to one part size in a single PUT,
 * larger in parts of that size (S3 multipart: initiate, upload each part, complete). Parts are read
 * one at a time into one buffer, so memory stays at one part whatever the blob's size. The upload is
 * atomic either way: the key shows the old blob until the PUT or the completion succeeds.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { CoinError } from '@coin/core';
import type { MinioClient } from './minio-client.js';

/** Fills `into` with the bytes at `offset` of the source. */
export type ReadPart = (offset: number, into: Buffer) => Promise<void>;

export interface UploadTarget {
  readonly client: MinioClient;
  readonly bucket: string;
  readonly key: string;
  readonly partSize: number;
}

/** Uploads `size` bytes read through `read`; returns their sha256 (hex). */
export async function uploadBlob(target: UploadTarget, size: number, read: ReadPart): Promise<string> {
  const { client, bucket, key, partSize } = target;
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.min(size, partSize));
  if (size <= partSize) {
    await read(0, buffer);
    hash.update(buffer);
    await client.putObject(bucket, key, buffer, size);
    return hash.digest('hex');
  }
  const uploadId = await client.initiateNewMultipartUpload(bucket, key, {});
  try {
    const etags: { part: number; etag: string }[] = [];
    for (let offset = 0, part = 1; offset < size; offset += partSize, part++) {
      const chunk = buffer.subarray(0, Math.min(partSize, size - offset));
      await read(offset, chunk);
      hash.update(chunk);
      const uploaded = await client.uploadPart(
        { bucketName: bucket, objectName: key, uploadID: uploadId, partNumber: part, headers: {} },
        chunk,
      );
      etags.push({ part, etag: uploaded.etag });
    }
    await client.completeMultipartUpload(bucket, key, uploadId, etags);
  } catch (e) {
    // Best effort: a server without AbortMultipartUpload (s3rver) keeps the parts until it is reset.
    await client.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
    throw e;
  }
  return hash.digest('hex');
}

/** A ReadPart over an in-memory blob (no copy). */
export function readBytes(bytes: Uint8Array): ReadPart {
  return async (offset, into) => {
    into.set(bytes.subarray(offset, offset + into.length));
  };
}

/** A ReadPart over an open file whose size was taken when it was opened; a file that shrinks fails. */
export function readFileParts(handle: FileHandle, localFile: string): ReadPart {
  return async (offset, into) => {
    let filled = 0;
    while (filled < into.length) {
      const { bytesRead } = await handle.read(into, filled, into.length - filled, offset + filled);
      if (bytesRead === 0) {
        throw new CoinError(
          'STORE.LOCAL_FILE_CHANGED',
          'FAILED_PRECONDITION',
          `${localFile} shrank while it was uploaded`,
          {
            hint: 'upload a file only once whoever writes it has finished',
            details: { localFile },
          },
        );
      }
      filled += bytesRead;
    }
  };
}
