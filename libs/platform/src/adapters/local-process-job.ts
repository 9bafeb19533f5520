/**
 * One job of LocalProcessScheduler: a forked worker process (worker-side.ts) and how it ended.
 * Stopping (cancel, deadline) sends SIGINT, then SIGKILL once the grace period is over.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { JobHandle, JobOutcome, JobSpec } from '../ports/job-scheduler.js';
import { isRetryableKind, type RunMessage, type WorkerMessage } from './worker-protocol.js';

/** How LocalJob forks its worker. */
export interface ForkSettings {
  readonly workerModule: string;
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cancelGraceMs: number;
}

/** Bytes of the worker's stderr kept for a crash report. */
const STDERR_TAIL = 4096;

type Stop = 'cancel' | 'deadline';

export class LocalJob implements JobHandle {
  readonly name: string;
  readonly done: Promise<JobOutcome>;
  private resolveDone!: (outcome: JobOutcome) => void;
  private state: 'queued' | 'running' | 'ended' = 'queued';
  private child: ChildProcess | undefined;
  private stopping: Stop | undefined;
  private answer: WorkerMessage | undefined;
  private stderrTail = '';
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly events: Readonly<Record<string, unknown>>[] = [];
  private readonly listeners: ((event: Readonly<Record<string, unknown>>) => void)[] = [];

  constructor(
    readonly spec: JobSpec,
    private readonly settings: ForkSettings,
  ) {
    this.name = spec.name;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  /** A listener added late first receives the events emitted before it. */
  onProgress(listener: (event: Readonly<Record<string, unknown>>) => void): void {
    for (const event of this.events) listener(event);
    this.listeners.push(listener);
  }

  async cancel(): Promise<void> {
    if (this.state === 'queued') this.end({ status: 'cancelled' });
    else if (this.state === 'running') this.stop('cancel');
    await this.done;
  }

  /** Forks the worker and sends it the unit (the scheduler calls this when a slot is free). */
  start(): void {
    if (this.state !== 'queued') return;
    this.state = 'running';
    const child = fork(this.settings.workerModule, [], {
      execArgv: [...this.settings.execArgv],
      env: { ...process.env, ...this.settings.env },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('message', (message: WorkerMessage) => this.receive(message));
    child.on('error', (e) => {
      // A process that started reports through 'close'; this is a fork that never ran.
      if (child.pid === undefined) {
        this.end({ status: 'failed', retryable: true, code: 'JOB.SPAWN_FAILED', message: e.message });
      }
    });
    // 'close', not 'exit': it comes after the IPC channel drained, so the worker's answer is in.
    child.on('close', (code, signal) => this.end(this.outcome(code, signal)));
    child.send({ type: 'run', unit: this.spec.unit } satisfies RunMessage, () => {
      // a worker that died before reading its unit is reported by 'close'
    });
    if (this.spec.deadlineSeconds !== undefined) {
      this.timers.push(setTimeout(() => this.stop('deadline'), this.spec.deadlineSeconds * 1000));
    }
  }

  private receive(message: WorkerMessage): void {
    if (message.type !== 'progress') {
      this.answer = message;
      return;
    }
    this.events.push(message.event);
    for (const listener of this.listeners) listener(message.event);
  }

  private stop(why: Stop): void {
    if (this.state !== 'running' || this.stopping !== undefined) return;
    this.stopping = why;
    this.child?.kill('SIGINT');
    this.timers.push(setTimeout(() => this.child?.kill('SIGKILL'), this.settings.cancelGraceMs));
  }

  /** How the job ended, from what the worker answered and how its process exited. */
  private outcome(code: number | null, signal: NodeJS.Signals | null): JobOutcome {
    const answer = this.answer;
    if (answer?.type === 'result') return { status: 'succeeded', result: answer.result };
    if (this.stopping === 'cancel') return { status: 'cancelled' };
    if (this.stopping === 'deadline') {
      return {
        status: 'failed',
        retryable: false,
        code: 'JOB.DEADLINE_EXCEEDED',
        message: `job ${this.name} ran past its deadline of ${this.spec.deadlineSeconds} s and was stopped`,
      };
    }
    if (answer?.type === 'error') {
      return { status: 'failed', retryable: isRetryableKind(answer.kind), code: answer.code, message: answer.message };
    }
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code} without a result`;
    const stderr = this.stderrTail.trim();
    return {
      status: 'failed',
      retryable: true,
      code: 'JOB.CRASHED',
      message: `the worker of job ${this.name} ${how}${stderr === '' ? '' : `; its stderr ended with:\n${stderr}`}`,
    };
  }

  /** Settles the job once; the scheduler learns of it through `done`. */
  end(outcome: JobOutcome): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    for (const timer of this.timers) clearTimeout(timer);
    this.resolveDone(outcome);
  }
}
