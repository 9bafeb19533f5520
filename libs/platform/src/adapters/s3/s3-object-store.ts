/**
 * The cluster ObjectStore: blobs are objects of one S3 bucket (MinIO, AWS S3, s3rver in tests)
 * under an optional key prefix (docs/file-formats.md#s3-object-store). Store paths follow the same
 * rules as the folder store (store-path.ts). A PUT or a completed multipart upload replaces an
 * object whole, so readers never see part of a blob; reads are streamed and checked against the
 * object's length. There is no `localPath`: a unit is downloaded to be read as files.
 */
import { createWriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CoinError, tempPathBeside } from '@coin/core';
import type { BlobInfo, ObjectStore } from '../../ports/object-store.js';
import { checkStorePath, checkStorePrefix, joinStorePath, storePathSegments } from '../../ports/store-path.js';
import { createMinioClient, type MinioClient } from './minio-client.js';
import { blobNotFound, isMissingKey, noBucket, type S3Place, s3Failure } from './s3-errors.js';
import { readBytes, readFileParts, uploadBlob } from './s3-upload.js';
import { checkS3Options, type S3StoreOptions } from './s3-options.js';

export type { S3StoreOptions } from './s3-options.js';

const DELETE_BATCH = 1000; // the most keys one DeleteObjects request may name

export class S3ObjectStore implements ObjectStore {
  readonly url: string;
  readonly bucket: string;
  /** The key prefix every store path is joined to ('' = the bucket's root). */
  readonly root: string;
  private readonly options: Required<Omit<S3StoreOptions, 'accessKey' | 'secretKey' | 'prefix'>>;
  private readonly place: S3Place;
  private ready: Promise<MinioClient> | undefined;
  private readonly credentials: { accessKey: string; secretKey: string };
  private readonly endpoint: URL;

  /** Checks the options (STORE.S3_* errors); connects on the first operation. */
  constructor(options: S3StoreOptions) {
    const checked = checkS3Options(options);
    this.endpoint = checked.endpoint;
    this.bucket = options.bucket;
    this.root = checked.root;
    this.credentials = checked.credentials;
    this.options = {
      endpoint: options.endpoint,
      bucket: options.bucket,
      region: options.region ?? 'us-east-1',
      partSize: options.partSize ?? 16 * 1024 * 1024,
      createBucket: options.createBucket ?? true,
      listPageSize: options.listPageSize ?? 1000,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    };
    this.url = `s3://${this.bucket}${this.root === '' ? '' : `/${this.root}`}`;
    this.place = { url: this.url, endpoint: this.endpoint.origin, bucket: this.bucket };
  }

  async put(path: string, data: Uint8Array | string): Promise<BlobInfo> {
    const key = this.keyOf(path);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const sha256 = await this.request(`write ${path}`, (client) =>
      uploadBlob(this.target(client, key), bytes.byteLength, readBytes(bytes)),
    );
    return { path, size: bytes.byteLength, sha256 };
  }

  async putFile(path: string, localFile: string): Promise<BlobInfo> {
    const key = this.keyOf(path);
    const handle = await openLocalFile(localFile);
    try {
      const size = (await handle.stat()).size;
      const sha256 = await this.request(`write ${path}`, (client) =>
        uploadBlob(this.target(client, key), size, readFileParts(handle, localFile)),
      );
      return { path, size, sha256 };
    } finally {
      await handle.close();
    }
  }

  async get(path: string): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of await this.getStream(path)) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async getStream(path: string): Promise<AsyncIterable<Uint8Array>> {
    const key = this.keyOf(path);
    const body = await this.request(`read ${path}`, async (client) => {
      try {
        return await client.getObject(this.bucket, key);
      } catch (e) {
        throw isMissingKey(e) ? blobNotFound(path, this.place, e) : e;
      }
    });
    // getObject resolves to the HTTP response itself: its length says when the body is whole.
    const length = Number((body as Partial<IncomingMessage>).headers?.['content-length']);
    return this.checkedBody(body, path, Number.isFinite(length) ? length : undefined);
  }

  async getFile(path: string, localFile: string): Promise<void> {
    const source = await this.getStream(path);
    await mkdir(dirname(localFile), { recursive: true });
    const temp = tempPathBeside(localFile);
    try {
      await pipeline(Readable.from(source), createWriteStream(temp));
      await rename(temp, localFile);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.size(path)) !== undefined;
  }

  /** The object's size from a HEAD; undefined only when the key is absent (a failure throws). */
  async size(path: string): Promise<number | undefined> {
    const key = this.keyOf(path);
    return this.request(`look up ${path}`, async (client) => {
      try {
        return (await client.statObject(this.bucket, key)).size;
      } catch (e) {
        if (isMissingKey(e)) return undefined;
        throw e;
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    const folder = checkStorePrefix(prefix, true);
    const found: string[] = [];
    const strip = this.root === '' ? 0 : this.root.length + 1;
    await this.eachPage(`list ${folder || 'the store'}`, folder, async (keys) => {
      for (const key of keys) {
        const path = key.slice(strip);
        if (isStorePath(path)) found.push(path);
      }
    });
    return found.sort();
  }

  async deletePrefix(prefix: string): Promise<void> {
    const folder = checkStorePrefix(prefix, false);
    await this.eachPage(`delete ${folder}`, folder, async (keys, client) => {
      for (let i = 0; i < keys.length; i += DELETE_BATCH) {
        const failed = await removeBatch(client, this.bucket, keys.slice(i, i + DELETE_BATCH));
        if (failed.length > 0) {
          const first = failed[0] as { name?: string; errorCode?: string; message?: string };
          throw new CoinError(
            'STORE.S3_DELETE_FAILED',
            'UNAVAILABLE',
            `${failed.length} object(s) under ${folder} in ${this.url} were not deleted, e.g. ${first.name}: ${first.errorCode} ${first.message}`,
            { hint: 'check the credentials may delete in this bucket, then retry', details: { prefix: folder } },
          );
        }
      }
    });
  }

  /**
   * Calls `each` with every key under a store folder, one listing page at a time, in key order.
   * ListObjects (v1) with a marker: s3rver cannot continue a v2 listing (its continuation tokens
   * need a cipher Node's OpenSSL 3 lacks), and a marker is the last key, which every S3 accepts.
   */
  private async eachPage(
    action: string,
    folder: string,
    each: (keys: string[], client: MinioClient) => Promise<void>,
  ): Promise<void> {
    const under = folder === '' ? this.root : joinStorePath(this.root, folder);
    const keyPrefix = under === '' ? '' : `${under}/`;
    await this.request(action, async (client) => {
      let marker = '';
      for (;;) {
        const page = await client.listObjectsQuery(this.bucket, keyPrefix, marker, {
          Delimiter: '',
          MaxKeys: this.options.listPageSize,
        });
        const keys = page.objects.map((o) => o.name).filter((name): name is string => typeof name === 'string');
        if (keys.length > 0) await each(keys, client);
        if (!page.isTruncated || keys.length === 0) return;
        marker = keys[keys.length - 1];
      }
    });
  }

  /** The body as chunks; a body cut short (a dropped connection) fails instead of ending early. */
  private async *checkedBody(body: Readable, path: string, length: number | undefined): AsyncIterable<Uint8Array> {
    let received = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        received += chunk.byteLength;
        yield chunk;
      }
    } catch (e) {
      throw s3Failure(e, `read ${path}`, this.place);
    }
    if (length !== undefined && received !== length) {
      throw new CoinError(
        'STORE.S3_SHORT_READ',
        'UNAVAILABLE',
        `reading ${path} from ${this.url} ended after ${received} of ${length} bytes`,
        { hint: 'the connection dropped; retry', details: { path, received, length } },
      );
    }
  }

  private target(client: MinioClient, key: string) {
    return { client, bucket: this.bucket, key, partSize: this.options.partSize };
  }

  private keyOf(path: string): string {
    return joinStorePath(this.root, checkStorePath(path));
  }

  /** Runs one operation with a ready client, mapping its failure to a CoinError. */
  private async request<T>(action: string, op: (client: MinioClient) => Promise<T>): Promise<T> {
    const client = await this.client();
    try {
      return await op(client);
    } catch (e) {
      throw s3Failure(e, action, this.place);
    }
  }

  /** The client, once the bucket is known to exist (created when absent and allowed); retried after a failure. */
  private client(): Promise<MinioClient> {
    this.ready ??= this.connect().catch((e: unknown) => {
      this.ready = undefined;
      throw s3Failure(e, 'open the bucket', this.place);
    });
    return this.ready;
  }

  private async connect(): Promise<MinioClient> {
    const client = await createMinioClient({
      endpoint: this.endpoint,
      region: this.options.region,
      ...this.credentials,
      partSize: this.options.partSize,
      requestTimeoutMs: this.options.requestTimeoutMs,
    });
    if (!(await client.bucketExists(this.bucket))) {
      if (!this.options.createBucket) throw noBucket(this.place);
      await client.makeBucket(this.bucket, this.options.region).catch((e: unknown) => {
        // Another process created it meanwhile: that is what we wanted.
        if ((e as { code?: string }).code !== 'BucketAlreadyOwnedByYou') throw e;
      });
    }
    return client;
  }
}

/**
 * Deletes up to 1000 keys in one DeleteObjects request; the keys it could not delete come back. A
 * server error on the batch (s3rver fails when it prunes the folders of several keys at once)
 * falls back to one DeleteObject per key: deleting an absent key succeeds, so the retry is safe.
 */
async function removeBatch(client: MinioClient, bucket: string, keys: string[]) {
  try {
    return await client.removeObjects(bucket, keys);
  } catch (e) {
    if (!isServerError(e)) throw e;
    for (const key of keys) await client.removeObject(bucket, key);
    return [];
  }
}

/** A 5xx answer (minio reports one without a body as "... Retryable HTTP status: 5xx"). */
function isServerError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (code === 'InternalError' || code === 'ServiceUnavailable' || code === 'SlowDown') return true;
  return code === undefined && e instanceof Error && /HTTP status: 5\d\d/.test(e.message);
}

/** A listed key that is a valid store path (a console's `folder/` marker, for one, is not). */
function isStorePath(path: string): boolean {
  try {
    storePathSegments(path);
    return true;
  } catch {
    return false;
  }
}

/** putFile's source must be a readable file; a missing one is named as the caller's mistake. */
async function openLocalFile(localFile: string) {
  const handle = await open(localFile, 'r').catch(() => undefined);
  if (handle && (await handle.stat()).isFile()) return handle;
  await handle?.close();
  throw new CoinError('STORE.LOCAL_FILE_NOT_FOUND', 'NOT_FOUND', `no file ${localFile} to upload`, {
    details: { localFile },
  });
}
