import { TrainRunner, type TrainGraphSpec, TrainState, type TrainSnapshot } from '@coin/autodiff';
import { DROPOUT_SEED_INPUT, dropoutSeedFeed } from '@coin/model';
import type { HostTensor, SessionOptions } from '@coin/runtime';

export type { TrainSnapshot };
export type Feeds = Readonly<Record<string, HostTensor>>;

/**
 * One parameter and optimizer state (libs/autodiff's TrainState) trained through the runners of
 * a stage's few (batch, seq) shapes, each built on first use and sharing that state.
 */
export class StageEngine {
  private readonly runners = new Map<string, TrainRunner>();

  private constructor(
    private readonly makeSpec: (batch: number, seq: number) => TrainGraphSpec,
    private readonly options: SessionOptions & { accumulation: number },
    private readonly state: TrainState,
  ) {}

  /** `initial`: the starting parameters by name; moments zero, step 0 (a fresh optimizer). */
  static create(
    makeSpec: (batch: number, seq: number) => TrainGraphSpec,
    initial: Readonly<Record<string, ArrayLike<number>>>,
    options: SessionOptions & { accumulation: number },
  ): StageEngine {
    // The layout depends only on the trainable set, which every shape shares: any shape's spec gives it.
    const state = TrainState.for(makeSpec(1, 8).trainable);
    state.setParams(initial);
    return new StageEngine(makeSpec, options, state);
  }

  get steps(): number {
    return this.state.step;
  }

  /**
   * One optimizer step over the micro-batches (all of shape [batch, seq]). `rates` per group; groups
   * the trainable set lacks (a projector that does not train) are dropped. `dropoutSeeds[i]` seeds
   * micro-batch i's dropout masks, so that a resumed stage draws the masks it would have drawn.
   */
  async step(
    batch: number,
    seq: number,
    micro: readonly Feeds[],
    rates: Readonly<Record<string, number>>,
    dropoutSeeds: readonly number[],
  ): Promise<{ loss: number; gradNorm: number }> {
    const runner = await this.runnerFor(batch, seq);
    const own = Object.fromEntries(runner.groups.map((g) => [g, rates[g] ?? rates.default]));
    const seeded = runner.batchInputs.includes(DROPOUT_SEED_INPUT)
      ? micro.map((feeds, i) => ({ ...feeds, ...dropoutSeedFeed(dropoutSeeds[i]) }))
      : micro;
    return runner.stepAccumulated(seeded, own);
  }

  snapshot(): TrainSnapshot {
    return this.state.snapshot();
  }

  restore(s: TrainSnapshot): void {
    this.state.restore(s);
  }

  /** The current parameters by name (copies). */
  params(): Record<string, Float32Array> {
    return this.state.getParams();
  }

  async release(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.release()));
    this.runners.clear();
  }

  private async runnerFor(batch: number, seq: number): Promise<TrainRunner> {
    const key = `${batch}x${seq}`;
    let runner = this.runners.get(key);
    if (!runner) {
      runner = await TrainRunner.create(this.makeSpec(batch, seq), { ...this.options, state: this.state });
      this.runners.set(key, runner);
    }
    return runner;
  }
}
