/**
 * The job scheduler port: runs one unit of work somewhere (a worker process here, a Kubernetes Job
 * in a cluster) and reports how it ended. A job is named by its unit key and attempt, so
 * submitting the same one twice runs it once. Adapters: local worker processes, Kubernetes.
 */
export interface JobSpec {
  /** Deterministic name (unit key + attempt): a second submit of the same name joins the first. */
  readonly name: string;
  /** The unit's spec as JSON; the worker runs exactly this unit. */
  readonly unit: Readonly<Record<string, unknown>>;
  readonly labels?: Readonly<Record<string, string>>;
  /** Wall-clock limit, s (the job is killed and reported `failed` past it). */
  readonly deadlineSeconds?: number;
}

export type JobOutcome =
  | { readonly status: 'succeeded'; readonly result: Readonly<Record<string, unknown>> }
  | { readonly status: 'failed'; readonly retryable: boolean; readonly message: string; readonly code?: string }
  | { readonly status: 'cancelled' };

export interface JobHandle {
  readonly name: string;
  /** Resolves when the job ends, however it ends. */
  readonly done: Promise<JobOutcome>;
  /** Progress lines the worker emitted (JSON objects), in order. */
  onProgress(listener: (event: Readonly<Record<string, unknown>>) => void): void;
  cancel(): Promise<void>;
}

export interface JobScheduler {
  submit(spec: JobSpec): Promise<JobHandle>;
  close(): Promise<void>;
}
