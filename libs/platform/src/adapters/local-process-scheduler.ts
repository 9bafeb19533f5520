/**
 * The embedded JobScheduler: each job is a Node child process running `workerModule` (which calls
 * serveWorker), at most `concurrency` at a time, the rest queued in submit order. A job name
 * submitted again returns the first submission's handle, running or finished, as a Kubernetes Job
 * of that name would.
 */
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { CoinError, invalidArgument } from '@coin/core';
import { checkJobSpec, type JobHandle, type JobScheduler, type JobSpec } from '../ports/job-scheduler.js';
import { type ForkSettings, LocalJob } from './local-process-job.js';

export interface LocalProcessSchedulerOptions {
  /** Absolute path of the worker entry (.js, .mjs, or .ts when execArgv registers a loader). */
  readonly workerModule: string;
  /** Node flags of the workers; default this process's (so a TypeScript loader carries over). */
  readonly execArgv?: readonly string[];
  /** Jobs running at once; default 1 (a training job uses every core). */
  readonly concurrency?: number;
  /** Added to this process's environment for the workers. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long a stopped worker has after SIGINT before SIGKILL, ms; default 10000. */
  readonly cancelGraceMs?: number;
}

export class LocalProcessScheduler implements JobScheduler {
  private readonly settings: ForkSettings;
  private readonly concurrency: number;
  private readonly jobs = new Map<string, LocalJob>();
  private readonly queue: LocalJob[] = [];
  private readonly running = new Set<LocalJob>();
  private closed = false;

  constructor(options: LocalProcessSchedulerOptions) {
    if (!isAbsolute(options.workerModule)) {
      throw invalidArgument(
        'SCHEDULER.BAD_WORKER',
        `workerModule must be an absolute path, got ${options.workerModule}`,
      );
    }
    if (!existsSync(options.workerModule)) {
      throw new CoinError('SCHEDULER.WORKER_NOT_FOUND', 'NOT_FOUND', `no worker module at ${options.workerModule}`);
    }
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw invalidArgument('SCHEDULER.BAD_CONCURRENCY', `concurrency must be a positive integer, got ${concurrency}`);
    }
    this.concurrency = concurrency;
    this.settings = {
      workerModule: options.workerModule,
      execArgv: options.execArgv ?? process.execArgv,
      env: options.env ?? {},
      cancelGraceMs: options.cancelGraceMs ?? 10_000,
    };
  }

  async submit(spec: JobSpec): Promise<JobHandle> {
    if (this.closed) {
      throw new CoinError(
        'SCHEDULER.CLOSED',
        'FAILED_PRECONDITION',
        `cannot submit ${spec.name}: the scheduler is closed`,
      );
    }
    checkJobSpec(spec);
    const known = this.jobs.get(spec.name);
    if (known !== undefined) return known;
    const job = new LocalJob(spec, this.settings);
    this.jobs.set(spec.name, job);
    this.queue.push(job);
    void job.done.then(() => this.finished(job));
    this.startQueued();
    return job;
  }

  /** Cancels every job not yet ended, queued or running, and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.jobs.values()].filter((job) => !job.ended).map((job) => job.cancel()));
  }

  private startQueued(): void {
    while (this.running.size < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as LocalJob;
      if (job.ended) continue; // cancelled while queued
      this.running.add(job);
      job.start();
    }
  }

  private finished(job: LocalJob): void {
    this.running.delete(job);
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.startQueued();
  }
}
