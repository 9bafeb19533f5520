import { TrainRunner, type TrainGraphSpec } from '@coin/autodiff';
import type { DoubleBuffer, FlatLayout, HostTensor, SessionOptions } from '@coin/runtime';

/** The optimizer state of a stage, exactly: parameters, Adam moments, optimizer steps taken. */
export interface TrainSnapshot {
  readonly params: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly step: number;
}

export type Feeds = Readonly<Record<string, HostTensor>>;

/**
 * One parameter and optimizer state trained through several (batch, seq) graphs. This is the
 * agreed runner interface (`TrainState` shared by several `TrainRunner`s, snapshot/restore,
 * per-group rates) as the loop needs it.
 *
 * Until libs/autodiff's shared state lands, it is bridged here over today's runner: one runner per
 * shape, the state copied into whichever runner takes the next step (a few memcpys of the
 * trainable vector per shape switch), and per-group rates reduced to the `default` group's rate
 * (exact for `coin` fidelity, which runs every group at one rate).
 */
export class StageEngine {
  private readonly runners = new Map<string, TrainRunner>();
  private active: TrainRunner | undefined;

  private constructor(
    private readonly makeSpec: (batch: number, seq: number) => TrainGraphSpec,
    private readonly options: SessionOptions & { accumulation: number },
    private state: TrainSnapshot,
  ) {}

  /** `initial`: the starting parameters in the spec's flat order; moments zero, step 0. */
  static create(
    makeSpec: (batch: number, seq: number) => TrainGraphSpec,
    initial: Float32Array,
    options: SessionOptions & { accumulation: number },
  ): StageEngine {
    const zeros = () => new Float32Array(initial.length);
    return new StageEngine(makeSpec, options, { params: initial.slice(), m: zeros(), v: zeros(), step: 0 });
  }

  get steps(): number {
    return this.sync().step;
  }

  /** One optimizer step over the micro-batches (all of shape [batch, seq]). */
  async step(
    batch: number,
    seq: number,
    micro: readonly Feeds[],
    rates: Readonly<Record<string, number>>,
  ): Promise<{ loss: number; gradNorm: number }> {
    const runner = await this.runnerFor(batch, seq);
    const lr = rates.default ?? Object.values(rates)[0];
    return runner.stepAccumulated(micro, lr);
  }

  /** A copy of the state (exact bits). */
  snapshot(): TrainSnapshot {
    const s = this.sync();
    return { params: s.params.slice(), m: s.m.slice(), v: s.v.slice(), step: s.step };
  }

  restore(s: TrainSnapshot): void {
    this.sync();
    this.state = { params: s.params.slice(), m: s.m.slice(), v: s.v.slice(), step: s.step };
    this.active = undefined;
  }

  /** The current parameters, flat. */
  params(): Float32Array {
    return this.sync().params;
  }

  async release(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.release()));
    this.runners.clear();
  }

  private async runnerFor(batch: number, seq: number): Promise<TrainRunner> {
    const key = `${batch}x${seq}`;
    let runner = this.runners.get(key);
    if (!runner) {
      runner = await TrainRunner.create(this.makeSpec(batch, seq), this.options);
      this.runners.set(key, runner);
    }
    if (runner !== this.active) {
      const s = this.sync();
      const inner = internals(runner);
      inner.params.front.set(s.params);
      inner.m.front.set(s.m);
      inner.v.front.set(s.v);
      inner.stepCount = s.step;
      this.active = runner;
    }
    return runner;
  }

  /** Pulls the state out of the runner that stepped last. */
  private sync(): TrainSnapshot {
    if (this.active) {
      const inner = internals(this.active);
      this.state.params.set(inner.params.front);
      this.state.m.set(inner.m.front);
      this.state.v.set(inner.v.front);
      this.state = { ...this.state, step: inner.stepCount };
    }
    return this.state;
  }
}

/** Today's runner keeps its state private; this bridge goes when `TrainState` lands. */
interface RunnerInternals {
  readonly layout: FlatLayout;
  readonly params: DoubleBuffer;
  readonly m: DoubleBuffer;
  readonly v: DoubleBuffer;
  stepCount: number;
}

function internals(r: TrainRunner): RunnerInternals {
  return r as unknown as RunnerInternals;
}
