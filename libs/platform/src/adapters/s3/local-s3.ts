/**
 * The S3 service a cluster-mode process talks to (docs/file-formats.md#s3-object-store): the
 * configured one when `s3.endpoint` (COIN_S3_ENDPOINT) is set, otherwise a local S3 server,
 * s3rver, started on loopback with its objects under a folder the caller names (`coin stack up`
 * keeps it under the store). s3rver checks access key ids but not signatures, and is meant for one
 * machine; it is loaded on first use only.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CoinError } from '@coin/core';
import type { CoinConfig } from '../../config/config.js';
import { checkS3Options, type S3StoreOptions } from './s3-options.js';

export interface S3Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
}

export interface S3Service {
  /** `http://127.0.0.1:<port>` for the local server. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly credentials: S3Credentials;
  /** Whether this process started the server (stop() then stops it; otherwise stop() does nothing). */
  readonly local: boolean;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  /** Where the server keeps its buckets and objects (created when absent; kept after stop()). */
  readonly dataDir: string;
  /** Created at start when absent. Default `coin`. */
  readonly bucket?: string;
  /** Default 0: a free port. */
  readonly port?: number;
}

/** s3rver's one account: the access key id it accepts. */
export const LOCAL_S3_CREDENTIALS: S3Credentials = { accessKey: 'S3RVER', secretKey: 'S3RVER' };
const LOCAL_REGION = 'us-east-1'; // the only region s3rver answers for

interface S3rverListing {
  objects: { key: string }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}
interface S3rverListOptions {
  delimiter?: string;
  startAfter?: string;
  prefix?: string;
  maxKeys?: number;
}
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer?: Server;
  store: { listObjects(bucket: string, options: S3rverListOptions): Promise<S3rverListing> };
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

/** Starts s3rver on 127.0.0.1 with the bucket created; `stop()` closes it, keeping its data. */
export async function startLocalS3(options: LocalS3Options): Promise<S3Service> {
  const bucket = options.bucket ?? 'coin';
  await mkdir(options.dataDir, { recursive: true });
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.dataDir,
    configureBuckets: [{ name: bucket }],
    vhostBuckets: false,
    resetOnClose: false,
  });
  listInKeyOrder(server);
  let address: AddressInfo;
  try {
    address = await server.run();
  } catch (e) {
    throw new CoinError(
      'STORE.LOCAL_S3_FAILED',
      'UNAVAILABLE',
      `the local S3 server did not start: ${(e as Error).message}`,
      {
        hint: options.port ? `is port ${options.port} in use? choose another or use 0 (any free port)` : undefined,
        details: { dataDir: options.dataDir },
        cause: e,
      },
    );
  }
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket,
    region: LOCAL_REGION,
    credentials: LOCAL_S3_CREDENTIALS,
    local: true,
    stop() {
      stopped ??= (async () => {
        const closing = server.close();
        server.httpServer?.closeAllConnections();
        await closing;
      })();
      return stopped;
    },
  };
}

/**
 * s3rver lists keys in the order it walks its folders (`runs/a/x` before `runs/a.json`), not in
 * S3's byte order, and skips every key at or below the marker: a listing longer than one page could
 * miss keys. Without a delimiter (the store never sends one), list the whole prefix, sort it, then
 * cut the page after the marker. Each page walks the prefix again: fine for a local server.
 */
function listInKeyOrder(server: S3rverInstance): void {
  const store = server.store;
  const walkOrder = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    if (options.delimiter) return walkOrder(bucket, options);
    const all = await walkOrder(bucket, { ...options, startAfter: '', maxKeys: Number.POSITIVE_INFINITY });
    const after = options.startAfter ?? '';
    const keys = all.objects
      .filter((o) => o.key > after)
      .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    const max = options.maxKeys ?? 1000;
    return { ...all, objects: keys.slice(0, max), isTruncated: keys.length > max };
  };
}

/**
 * The configured S3 service when `s3.endpoint` is set (nothing is started; credentials must be
 * set), otherwise a local server started over `dataDir` with the configured bucket.
 */
export async function openS3Service(s3: CoinConfig['s3'], dataDir: string): Promise<S3Service> {
  if (!s3.endpoint) return startLocalS3({ dataDir, bucket: s3.bucket });
  const { credentials } = checkS3Options({ ...s3, endpoint: s3.endpoint });
  return {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: s3.region,
    credentials,
    local: false,
    stop: async () => undefined,
  };
}

/** The S3ObjectStore options for a service, with the configuration's prefix, part size and bucket creation. */
export function serviceStoreOptions(service: S3Service, s3: CoinConfig['s3']): S3StoreOptions {
  return {
    endpoint: service.endpoint,
    bucket: service.bucket,
    region: service.region,
    ...service.credentials,
    prefix: s3.prefix,
    partSize: s3.partSizeMiB * 1024 * 1024,
    createBucket: s3.createBucket,
  };
}
