import { CoinError } from '@coin/core';
import { DoubleBuffer, type FlatLayout } from '@coin/runtime';
import { layoutParams, type ParamSpec, sameLayout } from './flat-layout.js';

/** A copy of the whole optimizer state: restoring it reproduces training to the bit. */
export interface TrainSnapshot {
  readonly params: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Optimizer steps taken (Adam's bias correction uses step + 1 next). */
  readonly step: number;
}

/**
 * Parameters, both Adam moments and the step count, as flat float32 vectors in one trainable
 * layout. Several TrainRunners built for different (batch, seq) shapes of the same trainable set
 * share one state, so a stage's bucketed batches all train the same weights with one optimizer.
 * Each vector is a DoubleBuffer: runners feed `front` and ORT writes the update straight into
 * `back` (no copy); `commit()` swaps all three and advances the step at once.
 */
export class TrainState {
  readonly params: DoubleBuffer;
  readonly m: DoubleBuffer;
  readonly v: DoubleBuffer;
  private stepCount = 0;
  private scratch: DoubleBuffer | undefined;
  private pending = 0;
  private busy = false;

  constructor(readonly layout: FlatLayout) {
    this.params = new DoubleBuffer(layout);
    this.m = new DoubleBuffer(layout);
    this.v = new DoubleBuffer(layout);
  }

  /** A zeroed state for these trainable parameters (the layout every runner over them uses). */
  static for(trainable: readonly ParamSpec[]): TrainState {
    return new TrainState(layoutParams(trainable).layout);
  }

  get step(): number {
    return this.stepCount;
  }

  get total(): number {
    return this.layout.total;
  }

  /** Refuses a graph layout that differs from this state's (other parameters, shapes or order). */
  checkLayout(layout: FlatLayout, what: string): void {
    if (sameLayout(this.layout, layout)) return;
    const mine = new Set(this.layout.entries.map((e) => e.name));
    const theirs = new Set(layout.entries.map((e) => e.name));
    const missing = [...mine].filter((n) => !theirs.has(n)).slice(0, 3);
    const extra = [...theirs].filter((n) => !mine.has(n)).slice(0, 3);
    throw new CoinError(
      'TRAIN.STATE_LAYOUT_MISMATCH',
      'INVALID_ARGUMENT',
      `${what} trains a different parameter layout than the shared state ` +
        `(${layout.total} vs ${this.layout.total} values; not in the graph: ${missing.join(', ') || 'none'}; ` +
        `not in the state: ${extra.join(', ') || 'none'})`,
      { hint: 'runners share a TrainState only when built over the same trainable parameters and shapes' },
    );
  }

  /** Sets parameter values by name (others keep theirs); touches neither moments nor step. */
  setParams(values: Readonly<Record<string, ArrayLike<number>>>): void {
    for (const [name, data] of Object.entries(values)) {
      const entry = this.layout.byName.get(name);
      if (!entry)
        throw new CoinError('TRAIN.UNKNOWN_PARAM', 'INVALID_ARGUMENT', `no trainable parameter named ${name}`);
      if (data.length !== entry.size)
        throw new CoinError(
          'TRAIN.BAD_PARAM',
          'INVALID_ARGUMENT',
          `parameter ${name} needs ${entry.size} values, got ${data.length}`,
        );
      this.params.front.set(data, entry.offset);
    }
  }

  /** A copy of every parameter, by name. */
  getParams(): Record<string, Float32Array> {
    const front = this.params.front;
    return Object.fromEntries(this.layout.entries.map((e) => [e.name, front.slice(e.offset, e.offset + e.size)]));
  }

  /** A fresh optimizer (a new stage): zero moments, step 0; parameters kept. */
  resetOptimizer(): void {
    this.m.front.fill(0);
    this.v.front.fill(0);
    this.stepCount = 0;
    this.pending = 0;
  }

  /** Micro-batch gradients summed in the accumulator and not yet applied. */
  get pendingMicroBatches(): number {
    return this.pending;
  }

  /** A copy of the state between optimizer steps (refused while micro-batches are pending). */
  snapshot(): TrainSnapshot {
    if (this.pending > 0)
      throw new CoinError(
        'TRAIN.ACCUMULATION_PENDING',
        'FAILED_PRECONDITION',
        `${this.pending} accumulated micro-batches are not applied yet; a snapshot would lose them`,
        { hint: 'snapshot after applyAccumulated()' },
      );
    return {
      params: this.params.front.slice(),
      m: this.m.front.slice(),
      v: this.v.front.slice(),
      step: this.stepCount,
    };
  }

  /** Puts a snapshot back, bit for bit (the arrays are copied; the snapshot stays the caller's). */
  restore(snapshot: TrainSnapshot): void {
    for (const key of ['params', 'm', 'v'] as const) {
      const data = snapshot[key];
      if (!(data instanceof Float32Array) || data.length !== this.layout.total)
        throw new CoinError(
          'TRAIN.BAD_SNAPSHOT',
          'INVALID_ARGUMENT',
          `snapshot ${key} must be a Float32Array of ${this.layout.total} values, got ${data?.length ?? 'none'}`,
        );
    }
    if (!Number.isInteger(snapshot.step) || snapshot.step < 0)
      throw new CoinError('TRAIN.BAD_SNAPSHOT', 'INVALID_ARGUMENT', `snapshot step ${snapshot.step} is not a count`);
    this.params.front.set(snapshot.params);
    this.m.front.set(snapshot.m);
    this.v.front.set(snapshot.v);
    this.stepCount = snapshot.step;
    this.pending = 0;
  }

  /**
   * Makes the values ORT just wrote into the back buffers current and counts the step. Runners
   * call it only after a successful run, so a failed run leaves the state as it was.
   */
  commit(): void {
    this.params.swap();
    this.m.swap();
    this.v.swap();
    this.stepCount += 1;
    this.pending = 0;
  }

  /**
   * Runs `fn` with no other runner's work in flight on this state: two overlapping steps would
   * read buffers the other is writing, so the second is refused.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy)
      throw new CoinError(
        'TRAIN.STATE_BUSY',
        'FAILED_PRECONDITION',
        'another runner is using this train state; await each step before the next',
      );
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  /**
   * The gradient accumulator shared by the runners of this state, so that the micro-batches of one
   * optimizer step may come from different (batch, seq) buckets. Zeroed when the first micro-batch
   * of a step starts; `addedMicroBatch()` counts each one after ORT wrote the sum into `back`.
   */
  accumulator(): DoubleBuffer {
    const acc = (this.scratch ??= new DoubleBuffer(this.layout));
    if (this.pending === 0) acc.front.fill(0);
    return acc;
  }

  addedMicroBatch(): void {
    this.scratch!.swap();
    this.pending += 1;
  }
}
