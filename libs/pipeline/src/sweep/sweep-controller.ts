/**
 * Sweeps over the RunController (docs/protocol.md#sweeps). A sweep is its record in the store
 * (`sweeps/<id>/sweep.json`: grid, base, run ids, how far the current attempt has submitted,
 * cancelled) plus its runs' run.json; nothing lives only in memory. At most `maxActiveRuns` runs of a
 * sweep are in flight: the rest wait, PENDING, and the next is submitted when one ends. The record is
 * written before any run is submitted and its cursor after each submission, so a restarted
 * orchestrator neither loses a run (open() goes on from the cursor) nor starts one twice (the run it
 * may have submitted before the crash is running again under RunController's own resume, and
 * submitting it once more returns it). Each run is submitted once per attempt: a run that fails stays
 * FAILED and the sweep ends FAILED; CreateSweep of that sweep starts a new attempt, which submits
 * again the runs that did not succeed (once each). Nothing is retried on its own.
 */
import { CoinError, invalidArgument } from '@coin/core';
import type { RunSpec as ProtoRunSpec, SweepGrid } from '@coin/contracts';
import type { ObjectStore } from '@coin/platform';
import type { RunController } from '../bus/run-controller.js';
import { type RunRecord, TERMINAL_STATES } from '../bus/run-state.js';
import { METHOD_CATALOGUE } from '../spec/method-catalogue.js';
import type { MethodCatalogue } from '../spec/run-spec.js';
import { type ExpandedSweep, expandSweep } from './expand-sweep.js';
import {
  decodeBase,
  decodeGrid,
  listSweepStates,
  newSweepRecord,
  readSweepState,
  type SweepRecord,
  writeSweepState,
} from './sweep-state.js';
import { isTerminalSweep, type SweepView, sweepView } from './sweep-view.js';

/** What a sweep needs of the runs. */
export type SweepRuns = Pick<RunController, 'submit' | 'get' | 'cancel' | 'watch'>;

/** Runs of one sweep in flight at once unless configured (config `sweeps.maxActiveRuns`). */
export const DEFAULT_MAX_ACTIVE_RUNS = 2;

export interface SweepControllerOptions {
  readonly runs: SweepRuns;
  readonly store: ObjectStore;
  readonly maxActiveRuns?: number;
  readonly catalogue?: MethodCatalogue;
  /** A sweep's scheduling failed (a store error, a closed run controller); it is tried again at the next run's end or open. */
  readonly onError?: (sweepId: string, error: unknown) => void;
}

export interface CreateSweepOptions {
  /** The id the client expects; must equal the derived one. */
  readonly sweepId?: string;
  /** Expand and check the grid; write and submit nothing. */
  readonly validateOnly?: boolean;
}

const errorOf = (e: unknown): NonNullable<SweepRecord['error']> =>
  e instanceof CoinError
    ? { code: e.code, kind: e.kind, message: e.message, ...(e.hint ? { hint: e.hint } : {}) }
    : { code: 'SWEEP.FAILED', kind: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };

export class SweepController {
  private readonly chains = new Map<string, Promise<unknown>>();
  /** sweep id → run id → unsubscribe, for its submitted runs not yet seen finished. */
  private readonly watching = new Map<string, Map<string, () => void>>();
  private readonly expanded = new Map<string, ExpandedSweep>();
  private readonly maxActive: number;
  private closed = false;

  private constructor(private readonly o: SweepControllerOptions) {
    this.maxActive = o.maxActiveRuns ?? DEFAULT_MAX_ACTIVE_RUNS;
    if (!Number.isInteger(this.maxActive) || this.maxActive < 1)
      throw invalidArgument(
        'SWEEP.BAD_CONCURRENCY',
        `maxActiveRuns must be a whole number from 1, got ${this.maxActive}`,
      );
  }

  /** A controller that has gone on with every unfinished sweep of the store (open the RunController first). */
  static async open(options: SweepControllerOptions): Promise<SweepController> {
    const c = new SweepController(options);
    for (const record of await listSweepStates(options.store)) {
      if (record.cancelledAt !== undefined || record.error) continue;
      const id = record.sweepId;
      await c
        .serial(id, async () => {
          for (const runId of record.runs.slice(0, record.attempt.submitted)) {
            const r = await options.runs.get(runId);
            if (r && !TERMINAL_STATES.has(r.state)) c.watchRun(id, runId);
          }
          await c.pump(id);
        })
        .catch((e: unknown) => options.onError?.(id, e));
    }
    return c;
  }

  /** Creates the sweep, or returns it when it exists (a FAILED or CANCELLED one starts a new attempt). */
  async create(grid: SweepGrid, base: ProtoRunSpec, options: CreateSweepOptions = {}): Promise<SweepView> {
    const expanded = expandSweep(grid, base, this.o.catalogue ?? METHOD_CATALOGUE);
    const id = expanded.id;
    if (options.sweepId && options.sweepId !== id)
      throw invalidArgument(
        'SWEEP.ID_MISMATCH',
        `sweep_id ${JSON.stringify(options.sweepId)} differs from the id the grid derives, ${id}`,
        'leave sweep_id empty: a sweep is named by its runs, so the same grid is the same sweep',
      );
    const now = new Date().toISOString();
    const fresh = newSweepRecord(expanded, grid, base, now);
    if (options.validateOnly) return this.view(fresh);
    this.checkOpen();
    return this.serial(id, async () => {
      const stored = await readSweepState(this.o.store, id);
      let record = fresh;
      if (stored) {
        const view = await this.view(stored);
        if (view.state !== 'FAILED' && view.state !== 'CANCELLED') return view;
        const { cancelledAt: _c, error: _e, ...rest } = stored;
        record = {
          ...rest,
          updatedAt: now,
          attempt: { number: stored.attempt.number + 1, startedAt: now, submitted: 0 },
        };
      }
      await writeSweepState(this.o.store, record);
      this.expanded.set(id, expanded);
      await this.pump(id);
      return this.view((await readSweepState(this.o.store, id))!);
    });
  }

  async get(id: string): Promise<SweepView | undefined> {
    const record = await readSweepState(this.o.store, id);
    return record && this.view(record);
  }

  /** Every sweep of the store, newest first. */
  async list(): Promise<SweepView[]> {
    const records = await listSweepStates(this.o.store);
    records.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    return Promise.all(records.map((r) => this.view(r)));
  }

  /** Cancels the sweep: no run of it starts any more, and its runs in flight are cancelled. */
  async cancel(id: string): Promise<SweepView> {
    return this.serial(id, async () => {
      const record = await readSweepState(this.o.store, id);
      if (!record)
        throw new CoinError('SWEEP.NOT_FOUND', 'NOT_FOUND', `no sweep ${id}`, {
          hint: 'list the sweeps to see their ids (coin sweep status)',
        });
      const view = await this.view(record);
      if (isTerminalSweep(view.state)) return view;
      const now = new Date().toISOString();
      await writeSweepState(this.o.store, { ...record, cancelledAt: record.cancelledAt ?? now, updatedAt: now });
      for (const r of view.runs) if (r.submitted && !TERMINAL_STATES.has(r.state)) await this.o.runs.cancel(r.runId);
      return this.view((await readSweepState(this.o.store, id))!);
    });
  }

  /** Stops scheduling (the sweeps stay as they are in the store, for the next open). */
  async close(): Promise<void> {
    this.closed = true;
    for (const runs of this.watching.values()) for (const stop of runs.values()) stop();
    this.watching.clear();
    await Promise.allSettled([...this.chains.values()]);
  }

  private async view(record: SweepRecord): Promise<SweepView> {
    const runs = await Promise.all(record.runs.map((id) => this.o.runs.get(id)));
    return sweepView(record, runs);
  }

  /**
   * Submits the sweep's next runs while fewer than maxActiveRuns are in flight (callers hold the
   * sweep's chain). The cursor is written after each submission.
   */
  private async pump(id: string): Promise<void> {
    let record = await readSweepState(this.o.store, id);
    if (!record || record.cancelledAt !== undefined || record.error || this.closed) return;
    let expanded: ExpandedSweep;
    try {
      expanded = this.expansion(record);
    } catch (e) {
      await writeSweepState(this.o.store, { ...record, error: errorOf(e), updatedAt: new Date().toISOString() });
      return;
    }
    let active = this.watching.get(id);
    if (!active) this.watching.set(id, (active = new Map()));
    while (!this.closed && active.size < this.maxActive && record.attempt.submitted < record.runs.length) {
      const k: number = record.attempt.submitted;
      const runId = record.runs[k];
      const existing = await this.o.runs.get(runId);
      if (!this.endedInAttempt(existing, record)) {
        const submitted = await this.o.runs.submit(expanded.specs[k]);
        if (!TERMINAL_STATES.has(submitted.state)) this.watchRun(id, runId);
      }
      record = { ...record, attempt: { ...record.attempt, submitted: k + 1 }, updatedAt: new Date().toISOString() };
      await writeSweepState(this.o.store, record);
    }
  }

  /** Succeeded, or finished otherwise since the attempt started: not submitted (again) by it. */
  private endedInAttempt(run: RunRecord | undefined, record: SweepRecord): boolean {
    if (!run || !TERMINAL_STATES.has(run.state)) return false;
    return run.state === 'SUCCEEDED' || run.updatedAt >= record.attempt.startedAt;
  }

  private expansion(record: SweepRecord): ExpandedSweep {
    const cached = this.expanded.get(record.sweepId);
    if (cached) return cached;
    const expanded = expandSweep(decodeGrid(record), decodeBase(record), this.o.catalogue ?? METHOD_CATALOGUE);
    if (expanded.id !== record.sweepId || expanded.runIds.some((r, k) => r !== record.runs[k]))
      throw new CoinError(
        'SWEEP.SPEC_MISMATCH',
        'FAILED_PRECONDITION',
        `the stored grid of sweep ${record.sweepId} now expands to other runs (${expanded.id})`,
        { hint: 'the code version changed since the sweep was created: create it again' },
      );
    this.expanded.set(record.sweepId, expanded);
    return expanded;
  }

  private watchRun(sweepId: string, runId: string): void {
    let runs = this.watching.get(sweepId);
    if (!runs) this.watching.set(sweepId, (runs = new Map()));
    if (runs.has(runId)) return;
    const stop = this.o.runs.watch(runId, (r) => {
      if (!TERMINAL_STATES.has(r.state) || runs.get(runId) !== stop) return;
      runs.delete(runId);
      queueMicrotask(stop);
      if (!this.closed)
        void this.serial(sweepId, () => this.pump(sweepId)).catch((e: unknown) => this.o.onError?.(sweepId, e));
    });
    runs.set(runId, stop);
  }

  /** Runs `fn` after every earlier call for the same sweep has settled. */
  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.chains.get(id) ?? Promise.resolve()).then(fn);
    const tail = next.then(
      () => {},
      () => {},
    );
    this.chains.set(id, tail);
    void tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return next;
  }

  private checkOpen(): void {
    if (this.closed) throw new CoinError('SWEEP.ORCHESTRATOR_CLOSED', 'UNAVAILABLE', 'the sweep controller is closed');
  }
}
