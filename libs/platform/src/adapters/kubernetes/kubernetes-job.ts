/**
 * One job of KubernetesJobScheduler: the handle of a batch/v1 Job. It learns how the Job is doing
 * from the scheduler's watch (`observe`, `vanished`) and settles once. Its progress comes from its
 * pod's log (pod-progress.ts), followed from the first `onProgress` until the Job ends.
 */
import type { V1Job } from '@kubernetes/client-node';
import type { JobHandle, JobOutcome } from '../../ports/job-scheduler.js';
import { endCondition } from './job-outcome.js';
import { waitAtMost } from './wait-at-most.js';

export interface KubernetesJobHooks {
  /** The Job ended: find its outcome (reads its pods). */
  outcome(job: V1Job): Promise<JobOutcome>;
  /** Deletes the Job (cancel). */
  remove(name: string): Promise<void>;
  /**
   * Follows the Job's progress, calling `emit` for each event, until `signal` aborts; resolves once
   * it has passed on what the Job wrote before its end.
   */
  follow(name: string, emit: (event: Readonly<Record<string, unknown>>) => void, signal: AbortSignal): Promise<void>;
}

/** What a Job computes: the annotation that records it, and its value (the scheduler's `workOf`). */
export interface JobWork {
  readonly annotation: string;
  readonly value: string;
}

/** How long a Job's end waits for the last read of its progress, ms. */
const FINAL_PROGRESS_MS = 5000;

export class KubernetesJob implements JobHandle {
  readonly done: Promise<JobOutcome>;
  private resolveDone!: (outcome: JobOutcome) => void;
  private settled = false;
  private settling = false;
  private cancelling: Promise<void> | undefined;
  private readonly events: Readonly<Record<string, unknown>>[] = [];
  private readonly listeners: ((event: Readonly<Record<string, unknown>>) => void)[] = [];
  private following: { readonly stop: AbortController; readonly done: Promise<void> } | undefined;
  /** No more progress is passed on (set as `done` resolves). */
  private closed = false;
  /** When the Job was known to exist (ms), for telling a list that predates it from one that lost it. */
  seenAt: number | undefined;

  constructor(
    /** The Job's (DNS-1123) name. */
    readonly name: string,
    /** What it computes: a submit of that name for other work is a conflict. */
    readonly work: JobWork,
    private readonly hooks: KubernetesJobHooks,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get ended(): boolean {
    return this.settled;
  }

  onProgress(listener: (event: Readonly<Record<string, unknown>>) => void): void {
    for (const event of this.events) listener(event);
    this.listeners.push(listener);
    if (this.following !== undefined || this.settled) return;
    const stop = new AbortController();
    const done = this.hooks.follow(
      this.name,
      (event) => {
        if (this.closed) return;
        this.events.push(event);
        for (const l of this.listeners) l(event);
      },
      stop.signal,
    );
    // Never an unhandled rejection, though nothing waits for it until the Job ends.
    this.following = { stop, done: done.catch(() => undefined) };
  }

  /** The Job as the API server has it now (a create, a get, a watch event, a list). */
  observe(job: V1Job): void {
    this.seenAt ??= Date.now();
    if (this.settled || this.settling || this.cancelling !== undefined) return;
    if (endCondition(job) === undefined) return;
    this.settling = true;
    this.hooks.outcome(job).then(
      (outcome) => this.settle(outcome),
      // The pods could not be read: the next event or re-list tries again.
      () => (this.settling = false),
    );
  }

  /** The Job is gone: deleted by this handle's cancel, by someone else, or by its TTL before its end was seen. */
  vanished(last: V1Job | undefined): void {
    if (this.settled) return;
    if (this.cancelling !== undefined) return this.settle({ status: 'cancelled' });
    if (last !== undefined && endCondition(last) !== undefined) {
      this.settling = false;
      this.observe(last);
      return;
    }
    this.settle({
      status: 'failed',
      retryable: true,
      code: 'JOB.LOST',
      message: `the Kubernetes Job ${this.name} was deleted before it ended (not by this scheduler)`,
    });
  }

  async cancel(): Promise<void> {
    if (!this.settled && !this.settling) {
      this.cancelling ??= this.hooks.remove(this.name).catch((e: unknown) => {
        this.cancelling = undefined;
        throw e;
      });
      await this.cancelling;
    }
    await this.done;
  }

  settle(outcome: JobOutcome): void {
    if (this.settled) return;
    this.settled = true;
    const following = this.following;
    if (following === undefined) return this.close(outcome);
    // The progress written before the end comes before the end (bounded: a lost API server waits no longer).
    following.stop.abort();
    void waitAtMost(following.done, FINAL_PROGRESS_MS).then(() => this.close(outcome));
  }

  private close(outcome: JobOutcome): void {
    this.closed = true;
    this.resolveDone(outcome);
  }
}
