/**
 * What an S3ObjectStore is built from, checked before anything connects. Credentials come from the
 * configuration (COIN_S3_ACCESS_KEY / COIN_S3_SECRET_KEY or the config file, docs/configuration.md),
 * never from a command line.
 */
import { CoinError, invalidArgument } from '@coin/core';
import { checkStorePrefix } from '../../ports/store-path.js';

export interface S3StoreOptions {
  /** `http://host:port` or `https://host[:port]` of the S3 service, without a path. */
  readonly endpoint: string;
  readonly bucket: string;
  /** Key prefix inside the bucket, a store folder (`coin/dev`); '' or absent = the bucket's root. */
  readonly prefix?: string;
  /** Default `us-east-1`. */
  readonly region?: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
  /** Bytes, at least 5 MiB (S3's smallest part); blobs up to it go in one PUT. Default 16 MiB. */
  readonly partSize?: number;
  /** Create the bucket on first use when it is absent (default true). */
  readonly createBucket?: boolean;
  /** Keys per listing request, 1–1000 (default 1000, the S3 maximum). */
  readonly listPageSize?: number;
  /** How long a request may stay silent before it fails, in ms (default 60000). */
  readonly requestTimeoutMs?: number;
}

const MiB = 1024 * 1024;

export interface CheckedS3Options {
  readonly endpoint: URL;
  readonly root: string;
  readonly credentials: { accessKey: string; secretKey: string };
}

export function checkS3Options(options: S3StoreOptions): CheckedS3Options {
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(options.endpoint);
  } catch {
    // reported below
  }
  if (!endpoint || !['http:', 'https:'].includes(endpoint.protocol) || !['', '/'].includes(endpoint.pathname)) {
    throw invalidArgument(
      'STORE.S3_BAD_ENDPOINT',
      `the S3 endpoint ${JSON.stringify(options.endpoint)} is not an http(s)://host[:port] URL`,
      'set COIN_S3_ENDPOINT to e.g. http://minio:9000 (the bucket is COIN_S3_BUCKET, not part of the URL)',
      { endpoint: options.endpoint },
    );
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket) || options.bucket.includes('..')) {
    throw invalidArgument(
      'STORE.S3_BAD_BUCKET',
      `${JSON.stringify(options.bucket)} is not an S3 bucket name`,
      'use 3–63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit',
      { bucket: options.bucket },
    );
  }
  const partSize = options.partSize ?? 16 * MiB;
  if (!Number.isInteger(partSize) || partSize < 5 * MiB || partSize > 5 * 1024 * MiB) {
    throw invalidArgument(
      'STORE.S3_BAD_PART_SIZE',
      `part size ${partSize} is outside 5 MiB–5 GiB`,
      'set s3.partSizeMiB to 5–5120',
    );
  }
  const page = options.listPageSize ?? 1000;
  if (!Number.isInteger(page) || page < 1 || page > 1000) {
    throw invalidArgument('STORE.S3_BAD_PAGE_SIZE', `listing page size ${page} is outside 1–1000`);
  }
  const { accessKey, secretKey } = options;
  if (!accessKey || !secretKey) {
    throw new CoinError(
      'STORE.S3_NO_CREDENTIALS',
      'FAILED_PRECONDITION',
      `no S3 credentials for ${endpoint.origin}: ${!accessKey ? 'the access key' : 'the secret key'} is not set`,
      {
        hint: 'export COIN_S3_ACCESS_KEY and COIN_S3_SECRET_KEY (or set s3.accessKey / s3.secretKey in the config file); never pass them on a command line',
        details: { endpoint: endpoint.origin },
      },
    );
  }
  return { endpoint, root: checkStorePrefix(options.prefix ?? '', true), credentials: { accessKey, secretKey } };
}
