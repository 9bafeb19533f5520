/**
 * The job scheduler port: runs one unit of work somewhere (a worker process here, a Kubernetes Job
 * in a cluster) and reports how it ended. A job is named by its unit key and attempt, so
 * submitting the same one twice runs it once. Adapters: local worker processes, Kubernetes.
 */
import { invalidArgument, isObject } from '@coin/core';

export interface JobSpec {
  /** Deterministic name (unit key + attempt): a second submit of the same name joins the first, running or ended. */
  readonly name: string;
  /** The unit's spec as JSON; the worker runs exactly this unit. */
  readonly unit: Readonly<Record<string, unknown>>;
  readonly labels?: Readonly<Record<string, string>>;
  /** Whose job this is: a cluster adapter labels the Job with it, so an operator can list a run's jobs. */
  readonly owner?: JobOwner;
  /** Wall-clock limit from the job's start, s: past it the job is stopped and fails (JOB.DEADLINE_EXCEEDED). */
  readonly deadlineSeconds?: number;
}

/** The run, unit and attempt a job computes. */
export interface JobOwner {
  readonly runId: string;
  readonly unitKey: string;
  /** 1 for the first try. */
  readonly attempt: number;
}

/**
 * How a job ended. `failed` carries the worker's CoinError code (JOB.WORKER_ERROR for another
 * error, JOB.CRASHED for a worker that died without answering); `retryable` is false when running
 * the same unit again cannot help (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, a deadline).
 */
export type JobOutcome =
  | { readonly status: 'succeeded'; readonly result: Readonly<Record<string, unknown>> }
  | { readonly status: 'failed'; readonly retryable: boolean; readonly message: string; readonly code?: string }
  | { readonly status: 'cancelled' };

export interface JobHandle {
  readonly name: string;
  /** Resolves when the job ends, however it ends. */
  readonly done: Promise<JobOutcome>;
  /** Progress events the worker emitted (JSON objects), in order; a late listener gets the earlier ones first. */
  onProgress(listener: (event: Readonly<Record<string, unknown>>) => void): void;
  /** Stops the job (a queued one never starts); resolves once it has ended, `cancelled` unless it finished first. */
  cancel(): Promise<void>;
}

export interface JobScheduler {
  submit(spec: JobSpec): Promise<JobHandle>;
  close(): Promise<void>;
}

/** Refuses a JobSpec no adapter can run (SCHEDULER.BAD_JOB, INVALID_ARGUMENT): every adapter's `submit` checks it first. */
export function checkJobSpec(spec: JobSpec): void {
  if (typeof spec.name !== 'string' || spec.name === '') {
    throw invalidArgument('SCHEDULER.BAD_JOB', 'a job needs a non-empty name');
  }
  if (!isObject(spec.unit)) {
    throw invalidArgument('SCHEDULER.BAD_JOB', `job ${spec.name}: unit must be a JSON object`);
  }
  const owner = spec.owner;
  if (
    owner !== undefined &&
    !(
      isObject(owner) &&
      nonEmpty(owner.runId) &&
      nonEmpty(owner.unitKey) &&
      Number.isInteger(owner.attempt) &&
      owner.attempt >= 1
    )
  ) {
    throw invalidArgument(
      'SCHEDULER.BAD_JOB',
      `job ${spec.name}: owner needs a non-empty runId and unitKey and an attempt counted from 1`,
    );
  }
  const deadline = spec.deadlineSeconds;
  if (deadline !== undefined && !(Number.isFinite(deadline) && deadline > 0)) {
    throw invalidArgument('SCHEDULER.BAD_JOB', `job ${spec.name}: deadlineSeconds must be a positive number`);
  }
}

const nonEmpty = (value: unknown): boolean => typeof value === 'string' && value !== '';
