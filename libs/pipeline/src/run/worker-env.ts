/**
 * A worker's UnitEnv from its job's WorkerEnvSpec and its own configuration
 * (docs/protocol.md#worker-pods): the store the job names (S3 from the worker's `s3.*`, never from
 * the job), and what the job leaves out — work folder, threads, execution provider — from the
 * worker's config (a pod's `COIN_EXECUTION_PROVIDER` is `cuda` on a GPU node).
 */
import { join } from 'node:path';
import { CoinError } from '@coin/core';
import { type CoinConfig, createObjectStore, FilesystemObjectStore, type ObjectStore } from '@coin/platform';
import type { UnitEnv } from '../units/unit-env.js';
import type { WorkerEnvSpec } from './runners.js';

/** `config` is read only when the job leaves something to it (a local worker's job names everything). */
export function workerUnitEnv(spec: WorkerEnvSpec, config: () => CoinConfig): Omit<UnitEnv, 'progress' | 'signal'> {
  return {
    store: workerStore(spec, config),
    cacheDir: spec.cacheDir ?? join(config().storeDir, 'work'),
    session: {
      threads: spec.threads ?? config().runtime.threads,
      executionProvider: spec.executionProvider ?? config().runtime.executionProvider,
    },
  };
}

function workerStore(spec: WorkerEnvSpec, configOf: () => CoinConfig): ObjectStore {
  const store = spec.store as WorkerEnvSpec['store'] | undefined;
  if (store?.kind === 'fs') return new FilesystemObjectStore(store.root);
  if (store?.kind === 's3') {
    const config = configOf();
    if (config.s3.endpoint === undefined)
      throw new CoinError(
        'JOB.NO_S3_STORE',
        'FAILED_PRECONDITION',
        'the job keeps its units in S3, but this worker has no S3 store configured',
        {
          hint: 'give the worker pods the S3 settings (COIN_S3_ENDPOINT, COIN_S3_BUCKET, credentials) through kubernetes.envFromConfigMaps and kubernetes.envFromSecrets',
        },
      );
    return createObjectStore(config);
  }
  throw new CoinError(
    'JOB.BAD_UNIT',
    'INVALID_ARGUMENT',
    `the job names no store this worker knows: ${JSON.stringify(store)}`,
    {
      hint: 'the orchestrator and the worker image run different code versions: deploy one version',
    },
  );
}
