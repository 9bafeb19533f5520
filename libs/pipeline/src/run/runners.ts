/**
 * The two UnitRunners: in this process (tests, debugging), or one worker process per job through
 * the JobScheduler port (`coin run`'s default: a unit's peak memory is its own, and a crash in
 * one unit is a failed unit, not a dead run).
 */
import { CoinError } from '@coin/core';
import type { JobScheduler } from '@coin/platform';
import type { UnitEnv, UnitProgress } from '../units/unit-env.js';
import { runUnitJob, type UnitJob, type UnitRunner } from './jobs.js';

export function inProcessRunner(env: Omit<UnitEnv, 'progress' | 'signal'>): UnitRunner {
  return {
    async run(job, _name, onProgress, signal) {
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
  return { run: (job, name, onProgress, signal) => (routes[job.kind] ?? fallback).run(job, name, onProgress, signal) };
}

/** What a worker needs besides the job to rebuild its UnitEnv (see apps/coin's worker). */
export interface WorkerEnvSpec {
  readonly storeRoot: string;
  readonly cacheDir: string;
  readonly threads: number;
  readonly executionProvider: 'cpu' | 'cuda';
}

export function schedulerRunner(scheduler: JobScheduler, env: WorkerEnvSpec): UnitRunner {
  return {
    async run(job, name, onProgress, signal) {
      const handle = await scheduler.submit({ name, unit: { job, env } as unknown as Record<string, unknown> });
      handle.onProgress(onProgress);
      const cancel = () => void handle.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      try {
        const outcome = await handle.done;
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
        signal?.removeEventListener('abort', cancel);
      }
    },
  };
}
