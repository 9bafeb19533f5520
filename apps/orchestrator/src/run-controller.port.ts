/**
 * The orchestrator's one dependency for running benchmark runs: what BenchmarkService needs from
 * whatever executes runs. Today it is an in-process adapter over @coin/pipeline's `executeRun`
 * (in-process-run-controller.ts); the bus-driven RunController of @coin/pipeline replaces it by
 * changing `createRunController` below and nothing else.
 */
import type { ErrorKind } from '@coin/core';
import type { RunSpec } from '@coin/pipeline';
import type { ServiceContext } from '@coin/service-host';
import { InProcessRunController } from './in-process-run-controller.js';

export type RunState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLING' | 'CANCELLED';

export const TERMINAL_STATES: ReadonlySet<RunState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export interface Count {
  readonly done: number;
  readonly total: number;
}

/** A snapshot of how far a run has got; `watch` yields one per change. */
export interface RunProgress {
  readonly state: RunState;
  /** Training stages, evaluation cells and judge cells finished (computed or found in the store). */
  readonly stages: Count;
  readonly evalCells: Count;
  readonly judgeCells: Count;
  /** The unit being computed now. */
  readonly current?: { readonly kind: string; readonly label: string };
  /** Within the current unit: optimizer steps of a stage, answers of an evaluation. */
  readonly step?: number;
  readonly steps?: number;
  /** Latest training loss of the current stage. */
  readonly loss?: number;
  /** What changed: the state, a unit finished, or only the current unit's step/loss. */
  readonly cause: 'state' | 'unit' | 'step';
  /** The unit whose completion caused this snapshot (its key; kind stage, eval or judge). */
  readonly changed?: { readonly kind: 'stage' | 'eval' | 'judge'; readonly key: string };
  /** One human-readable line. */
  readonly message: string;
  readonly updatedAt: string;
}

export interface RunFailure {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly message: string;
  readonly hint?: string;
}

export interface RunRecord {
  /** The run id (`runs/{id}` in the store and the API): derived from the spec. */
  readonly id: string;
  readonly spec: RunSpec;
  readonly state: RunState;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly progress: RunProgress;
  readonly error?: RunFailure;
}

export interface RunController {
  /** Accepts a resolved spec; the same spec again returns the existing run (`created: false`). */
  submit(spec: RunSpec): Promise<{ readonly id: string; readonly created: boolean }>;
  get(id: string): Promise<RunRecord | undefined>;
  /** Every run, newest first. */
  list(): Promise<readonly RunRecord[]>;
  /**
   * The run's progress now, then at every change, ending after its terminal state — or earlier,
   * without one, when the controller closes or `signal` aborts. Iterating an unknown run rejects
   * with RUN.NOT_FOUND.
   */
  watch(id: string, signal?: AbortSignal): AsyncIterable<RunProgress>;
  /** Asks a run to stop (CANCELLING, then CANCELLED); a terminal run is returned unchanged. */
  cancel(id: string): Promise<RunRecord | undefined>;
  /** Starts again every run a previous process left unfinished (called once, at start). */
  resume(): Promise<void>;
  /** Stops taking work; the unit in flight finishes, or is abandoned when `deadline` aborts. */
  close(deadline: AbortSignal): Promise<void>;
}

/** Nest's injection token for the RunController. */
export const RUN_CONTROLLER = Symbol('coin.run-controller');

export function createRunController(ctx: ServiceContext): RunController {
  return new InProcessRunController(ctx);
}
