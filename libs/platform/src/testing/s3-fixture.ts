/**
 * An S3 service for tests: the one named by COIN_S3_* (a real MinIO, read through the
 * configuration) when COIN_S3_ENDPOINT is set, else a local s3rver over a temp folder. Each store it
 * makes lives under its own fresh key prefix, so stores of one service start empty and apart.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../config/config.js';
import { openS3Service, type S3Service, serviceStoreOptions } from '../adapters/s3/local-s3.js';
import { S3ObjectStore, type S3StoreOptions } from '../adapters/s3/s3-object-store.js';
import { joinStorePath } from '../ports/store-path.js';
import type { StoreFixture } from './store-fixture.js';

export interface S3TestBed {
  readonly service: S3Service;
  /** Options reaching the service's bucket under `prefix` (the configured one when unset). */
  options(overrides?: Partial<S3StoreOptions>): S3StoreOptions;
  /** An empty store under a fresh prefix; cleanup deletes that prefix. */
  makeStore(overrides?: Partial<S3StoreOptions>): Promise<StoreFixture & { readonly store: S3ObjectStore }>;
  stop(): Promise<void>;
}

/** `env` is the process environment (only its COIN_S3_* variables are read). */
export async function startS3TestBed(env: Readonly<Record<string, string | undefined>>): Promise<S3TestBed> {
  const s3Vars = Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('COIN_S3_')));
  const s3 = resolveConfig(undefined, s3Vars).s3;
  const dataDir = await mkdtemp(join(tmpdir(), 'coin-s3-'));
  const service = await openS3Service(s3, dataDir);
  const base: S3StoreOptions = serviceStoreOptions(service, s3);
  const run = randomBytes(4).toString('hex');
  let count = 0;
  const options = (overrides: Partial<S3StoreOptions> = {}) => ({ ...base, ...overrides });
  return {
    service,
    options,
    async makeStore(overrides = {}) {
      const name = `test-${run}-${count++}`;
      const store = new S3ObjectStore(options({ ...overrides, prefix: joinStorePath(base.prefix ?? '', name) }));
      const parent = new S3ObjectStore(options({ prefix: base.prefix }));
      return { store, cleanup: () => parent.deletePrefix(name) };
    },
    async stop() {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
