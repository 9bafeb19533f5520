/**
 * The one place a service picks its ObjectStore from the config: the local folder in embedded
 * mode; S3 (config `s3`) in cluster mode once its adapter exists — adding it is the one line
 * marked below.
 */
import { CoinError } from '@coin/core';
import { type CoinConfig, FilesystemObjectStore, type ObjectStore } from '@coin/platform';

export function createObjectStore(config: CoinConfig): ObjectStore {
  if (config.mode === 'embedded') return new FilesystemObjectStore(config.storeDir);
  // cluster: return new S3ObjectStore(config.s3);
  throw new CoinError('CONFIG.STORE_UNAVAILABLE', 'UNIMPLEMENTED', 'cluster mode needs the S3 object store adapter', {
    hint: 'run the services with COIN_MODE=embedded (a local store folder, COIN_STORE) for now',
    details: { mode: config.mode },
  });
}
