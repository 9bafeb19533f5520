/**
 * The one place a process (a service, a worker pod) picks its ObjectStore from the config: the S3 bucket `s3.*` names when
 * `s3.endpoint` (COIN_S3_ENDPOINT) is set — credentials from COIN_S3_ACCESS_KEY / COIN_S3_SECRET_KEY
 * or the config file — else the local folder `storeDir` (COIN_STORE).
 */
import type { CoinConfig } from '../config/config.js';
import type { ObjectStore } from '../ports/object-store.js';
import { FilesystemObjectStore } from './fs-object-store.js';
import { S3ObjectStore } from './s3/s3-object-store.js';

/** Throws STORE.S3_* (INVALID_ARGUMENT, FAILED_PRECONDITION) for unusable S3 settings; connects on first use. */
export function createObjectStore(config: CoinConfig): ObjectStore {
  const s3 = config.s3;
  if (s3.endpoint === undefined) return new FilesystemObjectStore(config.storeDir);
  return new S3ObjectStore({
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: s3.region,
    prefix: s3.prefix,
    ...(s3.accessKey !== undefined ? { accessKey: s3.accessKey } : {}),
    ...(s3.secretKey !== undefined ? { secretKey: s3.secretKey } : {}),
    partSize: s3.partSizeMiB * 1024 * 1024,
    createBucket: s3.createBucket,
  });
}
