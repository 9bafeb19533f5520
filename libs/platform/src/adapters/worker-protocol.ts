/**
 * The messages between LocalProcessScheduler and a worker process it forked (serveWorker), over
 * Node's IPC channel as JSON: the parent sends one `run`; the worker answers with any number of
 * `progress` messages, then one `result` or `error`, and exits.
 */
import type { ErrorKind } from '@coin/core';

export interface RunMessage {
  readonly type: 'run';
  readonly unit: Readonly<Record<string, unknown>>;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly event: Readonly<Record<string, unknown>> }
  | { readonly type: 'result'; readonly result: Readonly<Record<string, unknown>> }
  | { readonly type: 'error'; readonly code: string; readonly kind: ErrorKind; readonly message: string };

/** Error kinds that running the same unit again cannot fix: the input or the state is wrong. */
const PERMANENT_KINDS: ReadonlySet<ErrorKind> = new Set(['INVALID_ARGUMENT', 'NOT_FOUND', 'FAILED_PRECONDITION']);

/** Whether a job that failed with this error kind may succeed when run again. */
export function isRetryableKind(kind: ErrorKind): boolean {
  return !PERMANENT_KINDS.has(kind);
}

/** What a unit body gets from the worker it runs in (a forked process or a Kubernetes pod). */
export interface WorkerContext {
  /** Sends one progress event (a small JSON object) to the scheduler. */
  progress(event: Readonly<Record<string, unknown>>): void;
  /** Aborted when the job is cancelled or past its deadline: stop, clean up, throw. */
  readonly signal: AbortSignal;
  /** Which shard this is, in a sharded (Indexed) Kubernetes job; absent otherwise. */
  readonly shard?: { readonly index: number; readonly count: number };
}

export type WorkerRun = (
  unit: Readonly<Record<string, unknown>>,
  ctx: WorkerContext,
) => Promise<Record<string, unknown>>;
