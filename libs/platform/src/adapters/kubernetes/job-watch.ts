/**
 * A list-then-watch of the Jobs one scheduler manages that never gives up: a watch whose
 * resourceVersion is too old (410 Gone, as an HTTP status or an ERROR event) re-lists at once and
 * watches on from the new version; any other failure (connection refused, dropped mid-stream,
 * 5xx) waits a jittered, doubling backoff and watches again from the last version seen. Every
 * `resyncMs` it re-lists anyway, so a missed event costs at most one period.
 */
import type { KubernetesObject, V1Job } from '@kubernetes/client-node';
import { statusOf } from './kube-client.js';
import { waitAtMost } from './wait-at-most.js';

export interface JobWatchSource {
  list(): Promise<{ readonly items: readonly V1Job[]; readonly resourceVersion: string }>;
  /** Starts a watch from `resourceVersion`; `done` is called once when it ends (with the error, if any). */
  watch(
    resourceVersion: string,
    onEvent: (type: string, object: KubernetesObject) => void,
    done: (error: unknown) => void,
  ): Promise<{ abort(): void }>;
}

export interface JobWatchListener {
  /** A Job was added or changed. */
  changed(job: V1Job): void;
  deleted(job: V1Job): void;
  /** A full list, started at `startedAt` (ms): Jobs absent from it are gone. */
  listed(items: readonly V1Job[], startedAt: number): void;
  /** A list or watch failed; the watch retries by itself. */
  failed?(error: unknown, retryInMs: number): void;
}

export interface JobWatchTiming {
  /** Re-list period, ms. */
  readonly resyncMs: number;
  /** First backoff after a failure, ms (doubling, jittered to 50–100 % of it). */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
}

/** How one watch connection ended: `again` watches on at once, `quiet` after a pause, `gone` re-lists first. */
const STOP_WAIT_MS = 1000;

type WatchEnd = 'again' | 'quiet' | 'gone' | 'stopped';

export class JobWatch {
  private stopped = false;
  private current: { abort(): void } | undefined;
  private wake: (() => void) | undefined;
  private resourceVersion = '';
  private nextList = 0;
  private failures = 0;
  readonly running: Promise<void>;

  constructor(
    private readonly source: JobWatchSource,
    private readonly listener: JobWatchListener,
    private readonly timing: JobWatchTiming,
  ) {
    this.running = this.loop();
  }

  /** Re-lists now (instead of at the next period). */
  resync(): void {
    this.nextList = 0;
    this.current?.abort();
    this.wake?.();
  }

  /**
   * Stops watching. Waits for the loop to end, at most `STOP_WAIT_MS`: a watch request still
   * waiting for the server's headers cannot be aborted before they come (the client exposes no
   * handle until then); it is aborted as soon as they do.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort();
    this.wake?.();
    await waitAtMost(this.running, STOP_WAIT_MS);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.resourceVersion === '' || Date.now() >= this.nextList) await this.list();
        const end = await this.watchOnce();
        this.failures = 0;
        if (end === 'gone') this.resourceVersion = '';
        // A server that closes watches without sending anything is not hammered.
        if (end === 'quiet') await this.pause(this.jittered(this.timing.backoffMs));
      } catch (e) {
        if (statusOf(e) === 410) {
          this.resourceVersion = '';
          continue;
        }
        this.failures++;
        const delay = this.jittered(
          Math.min(this.timing.maxBackoffMs, this.timing.backoffMs * 2 ** (this.failures - 1)),
        );
        this.listener.failed?.(e, delay);
        await this.pause(delay);
      }
    }
  }

  private async list(): Promise<void> {
    const startedAt = Date.now();
    const { items, resourceVersion } = await this.source.list();
    this.resourceVersion = resourceVersion;
    this.nextList = Date.now() + this.timing.resyncMs;
    this.listener.listed(items, startedAt);
  }

  /** One watch connection, until it ends (the server closes it, it fails, or the re-list is due); throws its error. */
  private async watchOnce(): Promise<WatchEnd> {
    if (this.stopped) return 'stopped';
    let gone = false;
    let sawEvent = false;
    let failure: unknown;
    let abortWanted = false;
    const abort = () => {
      abortWanted = true;
      this.current?.abort();
    };
    const ended = new Promise<void>((resolve) => {
      const onEvent = (type: string, object: KubernetesObject) => {
        sawEvent = true;
        if (type === 'ERROR') {
          if ((object as { code?: number }).code === 410) gone = true;
          else failure ??= new Error(`the Job watch sent an error: ${JSON.stringify(object)}`);
          abort();
          return;
        }
        const version = object.metadata?.resourceVersion;
        if (version !== undefined) this.resourceVersion = version;
        if (type === 'ADDED' || type === 'MODIFIED') this.listener.changed(object as V1Job);
        else if (type === 'DELETED') this.listener.deleted(object as V1Job);
        // BOOKMARK: only the version moves on.
      };
      const done = (error: unknown) => {
        failure ??= error ?? undefined;
        resolve();
      };
      this.source.watch(this.resourceVersion, onEvent, done).then(
        (controller) => {
          this.current = controller;
          if (abortWanted || this.stopped) controller.abort();
        },
        (error: unknown) => done(error),
      );
    });
    const timer = setTimeout(abort, Math.max(0, this.nextList - Date.now()));
    try {
      await ended;
    } finally {
      clearTimeout(timer);
      this.current = undefined;
    }
    if (this.stopped) return 'stopped';
    if (gone) return 'gone';
    if (Date.now() >= this.nextList) return 'again';
    const name = (failure as { name?: unknown } | undefined)?.name;
    if (failure !== undefined && name !== 'AbortError' && name !== 'TimeoutError') throw failure;
    return sawEvent ? 'again' : 'quiet';
  }

  private jittered(ms: number): number {
    return Math.round(ms * (0.5 + Math.random() * 0.5));
  }

  private async pause(ms: number): Promise<void> {
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }
}
