/**
 * The worker's half of KubernetesJobScheduler (docs/protocol.md#worker-pods): in a worker pod,
 * serveWorker runs the unit in COIN_JOB_UNIT once, writes the result or the error to the
 * termination-message file (kubernetes/termination.ts) and exits with the code the Job's
 * podFailurePolicy reads. Progress events become JSON lines `{"progress":{…}}` on stdout, the pod's
 * log, where the scheduler reads them (kubernetes/pod-progress.ts).
 */
import { writeFileSync } from 'node:fs';
import { CoinError, isCoinError, isObject } from '@coin/core';
import {
  EXIT_PERMANENT,
  encodeTermination,
  exitCodeOf,
  TERMINATION_LOG,
  type TerminationMessage,
} from './kubernetes/termination.js';
import { readJobVariables } from '../config/job-variables.js';
import type { WorkerContext, WorkerRun } from './worker-protocol.js';

/** Whether this process is a worker pod's (its job came in COIN_JOB_UNIT). */
export function isPodWorker(env: Readonly<Record<string, string | undefined>>): boolean {
  return readJobVariables(env).unit !== undefined;
}

export function servePodWorker(
  run: WorkerRun,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): void {
  const job = readJobVariables(environment);
  const path = job.terminationLog ?? TERMINATION_LOG;
  const finish = (message: TerminationMessage) => {
    writeFileSync(path, encodeTermination(message));
    process.exit(exitCodeOf(message));
  };
  let unit: unknown;
  try {
    unit = JSON.parse(job.unit ?? '');
  } catch {
    // parse error: reported below
  }
  if (!isObject(unit)) {
    const message = `COIN_JOB_UNIT must hold the unit as a JSON object, got ${String(job.unit).slice(0, 200)}`;
    writeFileSync(
      path,
      encodeTermination({ v: 1, type: 'error', code: 'JOB.BAD_UNIT', kind: 'INVALID_ARGUMENT', message }),
    );
    process.exit(EXIT_PERMANENT);
  }
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      controller.abort(
        new CoinError('JOB.CANCELLED', 'CANCELLED', `the job was stopped (${signal})`, { details: { signal } }),
      );
    });
  }
  const ctx: WorkerContext = {
    progress: (event) => void process.stdout.write(`${JSON.stringify({ progress: event })}\n`),
    signal: controller.signal,
    ...shardOf(job.shards, environment.JOB_COMPLETION_INDEX),
  };
  // The unit may wait on nothing but the abort signal: the process stays up until it has answered.
  setInterval(() => undefined, 1 << 30);
  run(unit as Record<string, unknown>, ctx).then(
    (result) => finish({ v: 1, type: 'result', result: { ...result, peak_rss_mb: peakRssMb() } }),
    (e: unknown) => finish(errorMessage(e)),
  );
}

/** An Indexed Job's pod: its index (set by Kubernetes) and the shard count (set by the scheduler). */
function shardOf(shards: string | undefined, completionIndex: string | undefined): Pick<WorkerContext, 'shard'> {
  const index = Number(completionIndex);
  const count = Number(shards);
  if (shards === undefined || completionIndex === undefined || !Number.isInteger(index) || !Number.isInteger(count)) {
    return {};
  }
  return { shard: { index, count } };
}

function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

function errorMessage(e: unknown): TerminationMessage {
  if (isCoinError(e)) return { v: 1, type: 'error', code: e.code, kind: e.kind, message: e.describe() };
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return { v: 1, type: 'error', code: 'JOB.WORKER_ERROR', kind: 'INTERNAL', message };
}
