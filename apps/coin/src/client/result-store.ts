/**
 * The store the orchestrator's runs write to, as a client command reads it (coin sweep report): the
 * S3 bucket of the configuration (COIN_S3_ENDPOINT), else the S3 server of the local stack on the
 * store folder (stack.json), else the store folder itself (where `coin sweep --local` writes).
 */
import { resolve } from 'node:path';
import { FilesystemObjectStore, LOCAL_S3_CREDENTIALS, type ObjectStore, S3ObjectStore } from '@coin/platform';
import type { CliContext } from '../context.js';
import { readStackFile } from '../stack/stack-file.js';

export async function resultStore(ctx: CliContext, flags: { store?: string }): Promise<ObjectStore> {
  const config = ctx.getConfig();
  const s3 = config.s3;
  const common = { region: s3.region, prefix: s3.prefix, partSize: s3.partSizeMiB * 1024 * 1024, createBucket: false };
  if (s3.endpoint !== undefined)
    return new S3ObjectStore({
      ...common,
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      ...(s3.accessKey !== undefined ? { accessKey: s3.accessKey } : {}),
      ...(s3.secretKey !== undefined ? { secretKey: s3.secretKey } : {}),
    });
  const dir = resolve(flags.store ?? config.storeDir);
  const stack = await readStackFile(dir);
  if (stack?.s3.local)
    return new S3ObjectStore({
      ...common,
      endpoint: stack.s3.endpoint,
      bucket: stack.s3.bucket,
      ...LOCAL_S3_CREDENTIALS,
    });
  return new FilesystemObjectStore(dir);
}
