/**
 * The two UnitRunners: in this process (tests, debugging), or one worker process per job through
 * the JobScheduler port (`coin run`'s default: a unit's peak memory is its own, and a crash in
 * one unit is a failed unit, not a dead run).
 */
import { CoinError } from '@coin/core';
import type { JobScheduler } from '@coin/platform';
import type { UnitEnv, UnitProgress } from '../units/unit-env.js';
import { runId } from '../spec/run-spec.js';
import { runUnitJob, type UnitJob, type UnitRunner } from './jobs.js';

export function inProcessRunner(env: Omit<UnitEnv, 'progress' | 'signal'>): UnitRunner {
  return {
    async run(job, _ref, onProgress, signal) {
      const result = await runUnitJob(job, {
        ...env,
        signal,
        progress: (e: UnitProgress) => onProgress(e as unknown as Record<string, unknown>),
      });
      return { result, peakRssMb: null };
    },
  };
}

/**
 * One runner per job kind, the rest to `fallback`: `coin run` judges in its own process (the rubric
 * is instant and a remote judge is I/O, not worth a worker process each) and trains in workers.
 */
export function routedRunner(routes: Partial<Record<UnitJob['kind'], UnitRunner>>, fallback: UnitRunner): UnitRunner {
  return { run: (job, ref, onProgress, signal) => (routes[job.kind] ?? fallback).run(job, ref, onProgress, signal) };
}

/**
 * Where a worker finds the store: this folder (a local worker, or a pod that mounts the same
 * volume), or the S3 bucket its own configuration names (`s3.*`: a Job spec never carries
 * credentials).
 */
export type WorkerStore = { readonly kind: 'fs'; readonly root: string } | { readonly kind: 's3' };

/**
 * What a worker needs besides the job to rebuild its UnitEnv (see apps/coin's worker and
 * worker-env.ts). What is left out the worker takes from its own configuration: a pod's work
 * folder (`<storeDir>/work`), threads and execution provider (`COIN_EXECUTION_PROVIDER`, which
 * KubernetesJobScheduler sets to `cuda` on GPU nodes).
 */
export interface WorkerEnvSpec {
  readonly store: WorkerStore;
  readonly cacheDir?: string;
  readonly threads?: number;
  readonly executionProvider?: 'cpu' | 'cuda';
}

export interface SchedulerRunnerOptions {
  /**
   * When the caller aborts: `cancel` stops the job (local workers); `leave` stops waiting and
   * leaves the job running, so the same name submitted again joins it (a trainer shutting down
   * leaves its Kubernetes Job to the replica that takes the request next). Default `cancel`.
   */
  readonly onAbort?: 'cancel' | 'leave';
}

export function schedulerRunner(
  scheduler: JobScheduler,
  env: WorkerEnvSpec,
  options: SchedulerRunnerOptions = {},
): UnitRunner {
  const leave = options.onAbort === 'leave';
  return {
    async run(job, ref, onProgress, signal) {
      signal?.throwIfAborted();
      const { name } = ref;
      const handle = await scheduler.submit({
        name,
        unit: { job, env } as unknown as Record<string, unknown>,
        owner: { runId: runId(job.spec), unitKey: ref.unitKey, attempt: ref.attempt },
      });
      handle.onProgress(onProgress);
      let onAbort = (): void => void handle.cancel();
      const aborted = new Promise<never>((_resolve, reject) => {
        if (leave) onAbort = () => reject(signal?.reason);
      });
      aborted.catch(() => undefined);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      try {
        const outcome = await Promise.race([handle.done, aborted]);
        if (outcome.status === 'succeeded') {
          const { peak_rss_mb, ...result } = outcome.result as Record<string, unknown>;
          return { result, peakRssMb: typeof peak_rss_mb === 'number' ? peak_rss_mb : null };
        }
        if (outcome.status === 'cancelled') {
          signal?.throwIfAborted();
          throw new CoinError('RUN.UNIT_CANCELLED', 'CANCELLED', `${name} was cancelled`);
        }
        // The worker's own error: its code and message, as if it had been thrown here.
        const kind = outcome.retryable ? 'INTERNAL' : 'FAILED_PRECONDITION';
        throw new CoinError(outcome.code ?? 'RUN.UNIT_FAILED', kind, `${name}: ${outcome.message}`, {
          hint: 'finished units are kept in the store: fix the cause and run the same command again',
        });
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
