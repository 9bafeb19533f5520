/**
 * The worker's half of LocalProcessScheduler: a worker module calls `serveWorker(run)` once at its
 * top level. It waits for the unit the scheduler sends, runs it, forwards progress events, sends
 * the result (with the process's `peak_rss_mb`) or the error, and exits. SIGINT or SIGTERM (the
 * scheduler's cancel) aborts `ctx.signal`; a worker that ignores it is killed after a grace period.
 * The same module is a worker pod's entrypoint: without an IPC channel and with COIN_JOB_UNIT set,
 * it runs that unit the way KubernetesJobScheduler expects (pod-worker.ts).
 */
import { CoinError, isCoinError } from '@coin/core';
import { isPodWorker, servePodWorker } from './pod-worker.js';
import type { RunMessage, WorkerContext, WorkerMessage, WorkerRun } from './worker-protocol.js';

export type { WorkerContext, WorkerRun } from './worker-protocol.js';

export function serveWorker(run: WorkerRun): void {
  const send = process.send?.bind(process);
  if (send === undefined && isPodWorker(process.env)) return servePodWorker(run);
  if (send === undefined) {
    throw new CoinError('JOB.NO_SCHEDULER', 'FAILED_PRECONDITION', 'this worker module has no scheduler to serve', {
      hint: 'worker modules are started by LocalProcessScheduler (child_process.fork with IPC), not run directly',
    });
  }
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      controller.abort(
        new CoinError('JOB.CANCELLED', 'CANCELLED', `the job was stopped (${signal})`, { details: { signal } }),
      );
    });
  }
  // The scheduler is gone (it crashed or was killed): nobody waits for this job any more.
  const orphaned = () => process.exit(1);
  process.on('disconnect', orphaned);

  const finish = (message: WorkerMessage, exitCode: number) => {
    process.off('disconnect', orphaned);
    send(message, () => process.exit(exitCode));
  };
  process.once('message', (message: RunMessage) => {
    const ctx: WorkerContext = {
      progress: (event) => void send({ type: 'progress', event } satisfies WorkerMessage),
      signal: controller.signal,
    };
    run(message.unit, ctx).then(
      (result) => finish({ type: 'result', result: { ...result, peak_rss_mb: peakRssMb() } }, 0),
      (e: unknown) => finish(errorMessage(e), 1),
    );
  });
}

/** The process's peak resident set so far, MiB (maxRSS is in KiB). */
function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

function errorMessage(e: unknown): WorkerMessage {
  if (isCoinError(e)) return { type: 'error', code: e.code, kind: e.kind, message: e.describe() };
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return { type: 'error', code: 'JOB.WORKER_ERROR', kind: 'INTERNAL', message };
}
