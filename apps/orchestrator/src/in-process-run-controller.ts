/**
 * The RunController of today: runs executed in this process by @coin/pipeline's `executeRun` with
 * the in-process unit runner, one run at a time, their state kept in the store
 * (run-state-file.ts). Replaced by the bus-driven controller (see run-controller.port.ts).
 */
import { join } from 'node:path';
import { CoinError, isCoinError } from '@coin/core';
import {
  executeRun,
  inProcessRunner,
  makeJudgeBackend,
  type RunEvent,
  type RunSpec,
  runId,
  type UnitRunner,
} from '@coin/pipeline';
import type { ServiceContext } from '@coin/service-host';
import {
  type RunController,
  type RunFailure,
  type RunProgress,
  type RunRecord,
  type RunState,
  TERMINAL_STATES,
} from './run-controller.port.js';
import { listRunIds, readRunState, writeRunState } from './run-state-file.js';
import { RunTally } from './run-tally.js';

interface LiveRun {
  record: RunRecord;
  readonly tally: RunTally;
  readonly abort: AbortController;
  cancelRequested: boolean;
  readonly listeners: Set<(p: RunProgress) => void>;
  saving: Promise<void>;
  execution?: Promise<void>;
}

function failureOf(e: unknown): RunFailure {
  if (isCoinError(e)) return { code: e.code, kind: e.kind, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  return { code: 'RUN.INTERNAL', kind: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

export class InProcessRunController implements RunController {
  readonly #runs = new Map<string, LiveRun>();
  #queue: Promise<void> = Promise.resolve();
  #closing = false;
  readonly #closed = new AbortController();

  constructor(private readonly ctx: ServiceContext) {}

  async submit(spec: RunSpec): Promise<{ id: string; created: boolean }> {
    const id = runId(spec);
    const existing = this.#runs.get(id)?.record ?? (await readRunState(this.ctx.store, id));
    if (existing && !['FAILED', 'CANCELLED'].includes(existing.state)) return { id, created: false };
    if (this.#closing)
      throw new CoinError('ORCHESTRATOR.SHUTTING_DOWN', 'UNAVAILABLE', 'the orchestrator is shutting down', {
        hint: 'submit again once it is back',
      });
    const now = new Date().toISOString();
    const tally = new RunTally();
    const live = this.#track(
      {
        id,
        spec,
        state: 'PENDING',
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        progress: tally.snapshot('PENDING', 'state'),
      },
      tally,
    );
    await this.#save(live);
    this.#enqueue(live);
    return { id, created: true };
  }

  async get(id: string): Promise<RunRecord | undefined> {
    return this.#runs.get(id)?.record ?? readRunState(this.ctx.store, id);
  }

  async list(): Promise<readonly RunRecord[]> {
    const ids = new Set([...(await listRunIds(this.ctx.store)), ...this.#runs.keys()]);
    const records = await Promise.all([...ids].map((id) => this.get(id)));
    return records
      .filter((r): r is RunRecord => r !== undefined)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  async *watch(id: string, signal?: AbortSignal): AsyncIterable<RunProgress> {
    const live = this.#runs.get(id);
    if (!live) {
      const stored = await readRunState(this.ctx.store, id);
      if (!stored)
        throw new CoinError('RUN.NOT_FOUND', 'NOT_FOUND', `no run ${id}`, { hint: 'list the runs with ListRuns' });
      yield stored.progress;
      return;
    }
    const pending: RunProgress[] = [live.record.progress];
    let wake: (() => void) | undefined;
    const listener = (p: RunProgress) => {
      pending.push(p);
      wake?.();
    };
    const stop = () => wake?.();
    live.listeners.add(listener);
    signal?.addEventListener('abort', stop);
    this.#closed.signal.addEventListener('abort', stop);
    try {
      for (;;) {
        for (let p = pending.shift(); p; p = pending.shift()) {
          yield p;
          if (TERMINAL_STATES.has(p.state)) return;
        }
        if (signal?.aborted || this.#closed.signal.aborted) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      live.listeners.delete(listener);
      signal?.removeEventListener('abort', stop);
      this.#closed.signal.removeEventListener('abort', stop);
    }
  }

  async cancel(id: string): Promise<RunRecord | undefined> {
    const live = this.#runs.get(id);
    if (!live) return readRunState(this.ctx.store, id);
    if (TERMINAL_STATES.has(live.record.state)) return live.record;
    live.cancelRequested = true;
    if (live.record.state === 'PENDING') this.#transition(live, 'CANCELLED');
    else {
      this.#transition(live, 'CANCELLING');
      live.abort.abort(new CoinError('RUN.CANCELLED', 'CANCELLED', `run ${id} was cancelled`));
    }
    await live.saving;
    return live.record;
  }

  async resume(): Promise<void> {
    for (const id of await listRunIds(this.ctx.store)) {
      const stored = await readRunState(this.ctx.store, id);
      if (!stored || TERMINAL_STATES.has(stored.state) || this.#runs.has(id)) continue;
      const live = this.#track(stored, new RunTally(stored.progress));
      if (stored.state === 'CANCELLING') {
        this.#transition(live, 'CANCELLED');
        continue;
      }
      this.ctx.logger.info({ run: id, state: stored.state }, 'resuming an unfinished run');
      this.#enqueue(live);
    }
  }

  async close(deadline: AbortSignal): Promise<void> {
    this.#closing = true;
    const running = [...this.#runs.values()].filter((r) => r.execution && !TERMINAL_STATES.has(r.record.state));
    const abortAll = () => {
      for (const r of running) r.abort.abort(new CoinError('ORCHESTRATOR.SHUTTING_DOWN', 'CANCELLED', 'shutdown'));
    };
    deadline.addEventListener('abort', abortAll, { once: true });
    try {
      await Promise.all(running.map((r) => r.execution));
      await Promise.all([...this.#runs.values()].map((r) => r.saving));
    } finally {
      deadline.removeEventListener('abort', abortAll);
      this.#closed.abort();
    }
  }

  #track(record: RunRecord, tally: RunTally): LiveRun {
    const live: LiveRun = {
      record,
      tally,
      abort: new AbortController(),
      cancelRequested: false,
      listeners: new Set(),
      saving: Promise.resolve(),
    };
    this.#runs.set(record.id, live);
    return live;
  }

  #enqueue(live: LiveRun): void {
    const run = this.#queue.then(() => this.#execute(live));
    live.execution = run;
    this.#queue = run;
  }

  #publish(live: LiveRun, progress: RunProgress, save: boolean): void {
    live.record = { ...live.record, state: progress.state, progress, updatedAt: progress.updatedAt };
    for (const l of live.listeners) l(progress);
    if (save) void this.#save(live);
  }

  #transition(live: LiveRun, state: RunState, error?: RunFailure): void {
    if (error) live.record = { ...live.record, error };
    this.#publish(live, live.tally.snapshot(state, 'state'), true);
  }

  #save(live: LiveRun): Promise<void> {
    live.saving = live.saving
      .then(() => writeRunState(this.ctx.store, live.record))
      .catch((e: unknown) => this.ctx.logger.error({ run: live.record.id, err: e }, 'cannot save the run state'));
    return live.saving;
  }

  /** The in-process runner, refusing new units once shutdown began (the run is handed back). */
  #runner(): UnitRunner {
    const inner = inProcessRunner({ store: this.ctx.store, cacheDir: this.ctx.cacheDir, session: this.ctx.session });
    return {
      run: (job, name, onProgress, signal) => {
        if (this.#closing)
          return Promise.reject(
            new CoinError('ORCHESTRATOR.SHUTTING_DOWN', 'CANCELLED', `not starting ${name}: shutting down`),
          );
        return inner.run(job, name, onProgress, signal);
      },
    };
  }

  async #execute(live: LiveRun): Promise<void> {
    if (TERMINAL_STATES.has(live.record.state) || this.#closing) return;
    const { spec, id } = live.record;
    const log = this.ctx.logger.child({ run: id });
    const judge = makeJudgeBackend(spec.judge, {
      env: this.ctx.env,
      cacheDir: join(this.ctx.cacheDir, 'judge-cache'),
      fidelity: spec.fidelity,
    });
    const env = { store: this.ctx.store, cacheDir: this.ctx.cacheDir, session: this.ctx.session };
    const onEvent = (event: RunEvent) => {
      for (const p of live.tally.on(event, live.record.state)) this.#publish(live, p, p.cause !== 'step');
      // Draining: the unit that just finished was the last one this process runs for the run.
      if (this.#closing && event.type === 'unit-done')
        live.abort.abort(new CoinError('ORCHESTRATOR.SHUTTING_DOWN', 'CANCELLED', 'shutdown'));
    };
    log.info({ method: spec.method, preset: spec.preset, tasks: spec.tasks }, 'run starts');
    this.#transition(live, 'RUNNING');
    try {
      await executeRun(spec, {
        store: this.ctx.store,
        runner: this.#runner(),
        env,
        judge,
        signal: live.abort.signal,
        onEvent,
      });
      this.#transition(live, 'SUCCEEDED');
      log.info('run succeeded');
    } catch (e) {
      if (live.cancelRequested) {
        this.#transition(live, 'CANCELLED');
        log.info('run cancelled');
      } else if (this.#closing) {
        // Handed back: left RUNNING in the store, resumed by the next orchestrator.
        this.#publish(live, live.tally.snapshot('RUNNING', 'state'), true);
        log.info('run handed back: shutting down');
      } else {
        this.#transition(live, 'FAILED', failureOf(e));
        log.warn({ err: e }, 'run failed');
      }
    } finally {
      await judge.close?.();
    }
  }
}
