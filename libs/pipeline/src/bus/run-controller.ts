/**
 * The orchestrator's core (docs/protocol.md#runs-over-the-event-bus): accepts runs, executes each
 * with `executeRun` over the bus (busRunner), keeps its state in the object store
 * (`runs/<id>/run.json`) and its progress for watchers, cancels runs, and on open resumes every run
 * whose state is not terminal — executeRun skips the units already in the store, and the requests it
 * publishes again are answered from manifests or by the worker still computing them.
 */
import { CoinError } from '@coin/core';
import type { EventBus } from '@coin/platform';
import type { RunEvent } from '../run/events.js';
import { executeRun } from '../run/execute-run.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import { type MethodCatalogue, runId, type RunSpec } from '../spec/run-spec.js';
import type { UnitEnv } from '../units/unit-env.js';
import { type BusRunner, busRunner } from './bus-runner.js';
import {
  advance,
  EMPTY_PROGRESS,
  encodeSpecProto,
  listRunStates,
  protoSpecOf,
  readRunState,
  RUN_STATE_FORMAT,
  type RunRecord,
  type RunStateName,
  TERMINAL_STATES,
  writeRunState,
} from './run-state.js';
import { runSpecFromProto, runSpecToProto } from './spec-wire.js';

export interface RunControllerOptions {
  readonly bus: EventBus;
  /** The store and session the runs are recorded with (workers publish units to the same store). */
  readonly env: Omit<UnitEnv, 'progress' | 'signal'>;
  /** EventMeta.producer of the requests. Default `orchestrator`. */
  readonly producer?: string;
  readonly catalogue?: MethodCatalogue;
  /** Every event of every run (for logs). */
  readonly onEvent?: (runId: string, event: RunEvent) => void;
}

interface Active {
  record: RunRecord;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  /** Set by close(): the run stops here but stays non-terminal, for the next orchestrator. */
  leaving: boolean;
}

type Listener = (record: RunRecord) => void;

export class RunController {
  private readonly active = new Map<string, Active>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly runner: BusRunner;
  private closed = false;

  private constructor(private readonly o: RunControllerOptions) {
    this.runner = busRunner(o.bus, { store: o.env.store, producer: o.producer ?? 'orchestrator' });
  }

  /** A controller that has resumed every non-terminal run of the store. */
  static async open(options: RunControllerOptions): Promise<RunController> {
    const controller = new RunController(options);
    await controller.runner.ready();
    for (const record of await listRunStates(options.env.store))
      if (!TERMINAL_STATES.has(record.state)) controller.start(record);
    return controller;
  }

  /** Starts a run (or returns it when it is running or has succeeded; a failed or cancelled one starts again). */
  async submit(spec: RunSpec): Promise<RunRecord> {
    this.checkOpen();
    const id = runId(spec);
    const running = this.active.get(id);
    if (running) return running.record;
    const stored = await readRunState(this.o.env.store, id);
    if (stored?.state === 'SUCCEEDED') return stored;
    const now = new Date().toISOString();
    const record: RunRecord = {
      format: RUN_STATE_FORMAT,
      runId: id,
      state: 'PENDING',
      specProto: encodeSpecProto(runSpecToProto(spec, this.o.catalogue ?? METHOD_CATALOGUE)),
      spec,
      createdAt: stored?.createdAt ?? now,
      updatedAt: now,
      progress: EMPTY_PROGRESS,
    };
    await writeRunState(this.o.env.store, record);
    return this.start(record).record;
  }

  async get(id: string): Promise<RunRecord | undefined> {
    return this.active.get(id)?.record ?? (await readRunState(this.o.env.store, id));
  }

  /** Every run with a state in the store, the active ones as they are now, newest first. */
  async list(): Promise<RunRecord[]> {
    const stored = await listRunStates(this.o.env.store);
    return stored
      .map((r) => this.active.get(r.runId)?.record ?? r)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  /** Cancels a run: it stops waiting for its units (those in flight finish in their workers) and ends CANCELLED. */
  async cancel(id: string): Promise<RunRecord> {
    const running = this.active.get(id);
    if (running) {
      running.abort.abort(new CoinError('RUN.CANCELLED', 'CANCELLED', `run ${id} was cancelled`));
      await running.done;
      return (await this.get(id))!;
    }
    const stored = await readRunState(this.o.env.store, id);
    if (!stored)
      throw new CoinError('RUN.NOT_FOUND', 'NOT_FOUND', `no run ${id}`, { hint: 'list the runs to see their ids' });
    if (TERMINAL_STATES.has(stored.state)) return stored;
    return this.write(stored, { state: 'CANCELLED' });
  }

  /** Calls `listener` with the run now and with every change; returns the unsubscribe. */
  watch(id: string, listener: Listener): () => void {
    let set = this.listeners.get(id);
    if (set === undefined) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    void this.get(id).then((r) => r && set.has(listener) && listener(r));
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  /** The run's states as they change, until it is terminal (the latest one when a reader lags). */
  async *updates(id: string, signal?: AbortSignal): AsyncGenerator<RunRecord> {
    let latest: RunRecord | undefined;
    let wake: (() => void) | undefined;
    const stop = this.watch(id, (r) => {
      latest = r;
      wake?.();
    });
    const aborted = () => wake?.();
    signal?.addEventListener('abort', aborted);
    try {
      while (!signal?.aborted) {
        if (latest === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const r = latest;
        latest = undefined;
        yield r;
        if (TERMINAL_STATES.has(r.state)) return;
      }
    } finally {
      stop();
      signal?.removeEventListener('abort', aborted);
    }
  }

  /** Stops every active run without ending it (it stays RUNNING in the store, resumed by the next open). */
  async close(): Promise<void> {
    this.closed = true;
    for (const a of this.active.values()) {
      a.leaving = true;
      a.abort.abort(new CoinError('RUN.ORCHESTRATOR_CLOSED', 'UNAVAILABLE', 'the orchestrator is shutting down'));
    }
    await Promise.all([...this.active.values()].map((a) => a.done));
    await this.runner.close();
  }

  private start(record: RunRecord): Active {
    const abort = new AbortController();
    const active: Active = { record, abort, leaving: false, done: Promise.resolve() };
    this.active.set(record.runId, active);
    (active as { done: Promise<void> }).done = this.execute(active).finally(() => this.active.delete(record.runId));
    return active;
  }

  private async execute(a: Active): Promise<void> {
    const id = a.record.runId;
    try {
      const spec = runSpecFromProto(protoSpecOf(a.record), this.o.catalogue ?? METHOD_CATALOGUE);
      if (runId(spec) !== id)
        throw new CoinError(
          'RUN.SPEC_MISMATCH',
          'FAILED_PRECONDITION',
          `the stored spec of run ${id} now resolves to ${runId(spec)}`,
          {
            hint: 'the code version changed since the run was submitted: submit it again',
          },
        );
      a.record = await this.write(a.record, { state: 'RUNNING' });
      let lastWrite = 0;
      await executeRun(spec, {
        store: this.o.env.store,
        runner: this.runner,
        env: this.o.env,
        signal: a.abort.signal,
        onEvent: (e) => {
          this.o.onEvent?.(id, e);
          a.record = { ...a.record, progress: advance(a.record.progress, e), updatedAt: new Date().toISOString() };
          this.tell(a.record);
          // The store gets the counts at each finished unit (at most every half second), not every step.
          if (e.type === 'unit-done' && performance.now() - lastWrite > 500) {
            lastWrite = performance.now();
            void writeRunState(this.o.env.store, a.record).catch(() => {});
          }
        },
      });
      a.record = await this.write(a.record, { state: 'SUCCEEDED', results: `runs/${id}/results.json` });
    } catch (e) {
      if (a.leaving) return;
      const cancelled = a.abort.signal.aborted;
      const error =
        e instanceof CoinError
          ? { code: e.code, kind: e.kind, message: e.message, ...(e.hint ? { hint: e.hint } : {}) }
          : { code: 'RUN.FAILED', kind: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
      a.record = await this.write(a.record, cancelled ? { state: 'CANCELLED' } : { state: 'FAILED', error });
    }
  }

  private async write(
    record: RunRecord,
    change: { state: RunStateName; error?: RunRecord['error']; results?: string },
  ): Promise<RunRecord> {
    const { current: _, ...progress } = record.progress;
    const next: RunRecord = {
      ...record,
      ...change,
      progress: TERMINAL_STATES.has(change.state) ? progress : record.progress,
      updatedAt: new Date().toISOString(),
    };
    await writeRunState(this.o.env.store, next);
    this.tell(next);
    return next;
  }

  private tell(record: RunRecord): void {
    for (const l of this.listeners.get(record.runId) ?? []) l(record);
  }

  private checkOpen(): void {
    if (this.closed) throw new CoinError('RUN.ORCHESTRATOR_CLOSED', 'UNAVAILABLE', 'the run controller is closed');
  }
}
