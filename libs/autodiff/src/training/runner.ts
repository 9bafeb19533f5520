import { CoinError } from '@coin/core';
import { serializeModel } from '@coin/onnx';
import {
  createSession,
  type FlatLayout,
  type HostTensor,
  type RuntimeSession,
  type SessionOptions,
} from '@coin/runtime';
import { buildTrainGraph, TRAIN_IO, type TrainGraph, type TrainGraphSpec } from './assemble.js';
import { type LearningRates, rateVector } from './group-rates.js';
import { TrainState } from './train-state.js';

export interface StepResult {
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

export interface GradientResult {
  readonly loss: number;
  /** Flat unclipped gradient in layout order ([total]); a fresh array the caller keeps. */
  readonly grad: Float32Array;
}

export interface TrainRunnerOptions extends SessionOptions {
  /** > 1 also builds the accumulate/apply pair for `stepAccumulated`. */
  readonly accumulation?: number;
  /** Share parameters and optimizer state with other runners (other batch shapes); default a new one. */
  readonly state?: TrainState;
}

type Feeds = Readonly<Record<string, HostTensor>>;

const scalarF32 = (x: number): HostTensor => ({ dtype: 'float32', dims: [], data: new Float32Array([x]) });

/**
 * Runs the training graphs of one batch shape in ONNX Runtime against a TrainState (parameters,
 * Adam moments, step) that several runners may share. ORT reads the state's front buffers and
 * writes the new values straight into the back ones as preallocated outputs; the state's commit
 * makes them current. No per-step allocation, one copy each way.
 */
export class TrainRunner {
  private gradientSession: Promise<RuntimeSession> | undefined;

  private constructor(
    private readonly spec: TrainGraphSpec,
    private readonly options: SessionOptions,
    readonly state: TrainState,
    /** Learning-rate groups in the order of the graph's rate vector. */
    readonly groups: readonly string[],
    private readonly stepSession: RuntimeSession,
    private readonly accumulateSession: RuntimeSession | undefined,
    private readonly applySession: RuntimeSession | undefined,
  ) {}

  /** Builds and loads the graphs; the gradient graph is built on the first `gradient()` call. */
  static async create(spec: TrainGraphSpec, options: TrainRunnerOptions = {}): Promise<TrainRunner> {
    const { accumulation, state: shared, ...sessionOptions } = options;
    const load = async (g: TrainGraph) => createSession(serializeModel(g.model), sessionOptions);
    const step = buildTrainGraph(spec, 'step');
    const state = shared ?? new TrainState(step.layout);
    state.checkLayout(step.layout, `training graph ${spec.name}`);
    const withAccumulation = (accumulation ?? 1) > 1;
    return new TrainRunner(
      spec,
      sessionOptions,
      state,
      step.groups,
      await load(step),
      withAccumulation ? await load(buildTrainGraph(spec, 'accumulate')) : undefined,
      withAccumulation ? await load(buildTrainGraph(spec, 'apply')) : undefined,
    );
  }

  get layout(): FlatLayout {
    return this.state.layout;
  }

  get total(): number {
    return this.state.total;
  }

  /** Optimizer steps taken by the shared state. */
  get steps(): number {
    return this.state.step;
  }

  /** The batch inputs this runner's graphs take (the forward's inputs, e.g. ids, labels, a dropout seed). */
  get batchInputs(): readonly string[] {
    const own = new Set<string>(Object.values(TRAIN_IO));
    return this.stepSession.inputNames.filter((n) => !own.has(n));
  }

  /** Sets parameter values by name (others keep theirs); resets nothing else. */
  setParams(values: Readonly<Record<string, ArrayLike<number>>>): void {
    this.state.setParams(values);
  }

  /** A copy of every parameter, by name. */
  getParams(): Record<string, Float32Array> {
    return this.state.getParams();
  }

  /** One optimizer step on one batch; `rates` is one rate for all groups or one per group. */
  async step(batch: Feeds, rates: LearningRates): Promise<StepResult> {
    const lr = this.rateTensor(rates);
    return this.state.exclusive(async () => {
      if (this.state.pendingMicroBatches > 0)
        throw new CoinError(
          'TRAIN.ACCUMULATION_PENDING',
          'FAILED_PRECONDITION',
          `${this.state.pendingMicroBatches} accumulated micro-batches are not applied yet`,
          { hint: 'finish the step with applyAccumulated(rates) first' },
        );
      const out = await this.stepSession.run(
        { ...batch, ...this.stateFeeds(), [TRAIN_IO.step]: scalarF32(this.state.step + 1), [TRAIN_IO.lr]: lr },
        { outputs: this.stateOutputs() },
      );
      this.state.commit();
      return { loss: Number(out[TRAIN_IO.loss].data[0]), gradNorm: Number(out[TRAIN_IO.gradNorm].data[0]) };
    });
  }

  /** One optimizer step on the mean gradient of several micro-batches. Returns the mean loss. */
  async stepAccumulated(microBatches: readonly Feeds[], rates: LearningRates): Promise<StepResult> {
    if (microBatches.length === 1) return this.step(microBatches[0], rates);
    this.accumulation(); // refuse before running anything
    let loss = 0;
    for (const batch of microBatches) loss += await this.accumulate(batch);
    const { gradNorm } = await this.applyAccumulated(rates);
    return { loss: loss / microBatches.length, gradNorm };
  }

  /**
   * Adds one micro-batch's gradient to the shared state's accumulator and returns its loss. Any
   * runner of the state (any bucket) may add the next one; `applyAccumulated` ends the step.
   */
  async accumulate(batch: Feeds): Promise<number> {
    const { accumulate } = this.accumulation();
    return this.state.exclusive(async () => {
      const acc = this.state.accumulator();
      const out = await accumulate.run(
        { ...batch, [TRAIN_IO.params]: this.state.params.frontTensor(), [TRAIN_IO.gradAcc]: acc.frontTensor() },
        { outputs: { [TRAIN_IO.gradAccOut]: acc.backTensor() } },
      );
      this.state.addedMicroBatch();
      return Number(out[TRAIN_IO.loss].data[0]);
    });
  }

  /** One optimizer step on the mean of the micro-batch gradients accumulated since the last step. */
  async applyAccumulated(rates: LearningRates): Promise<{ readonly gradNorm: number; readonly microBatches: number }> {
    const { apply } = this.accumulation();
    const lr = this.rateTensor(rates);
    return this.state.exclusive(async () => {
      const count = this.state.pendingMicroBatches;
      if (count === 0)
        throw new CoinError('TRAIN.NOTHING_ACCUMULATED', 'FAILED_PRECONDITION', 'no micro-batch was accumulated', {
          hint: 'call accumulate(batch) first',
        });
      const out = await apply.run(
        {
          ...this.stateFeeds(),
          [TRAIN_IO.gradAcc]: this.state.accumulator().frontTensor(),
          [TRAIN_IO.gradScale]: scalarF32(1 / count),
          [TRAIN_IO.step]: scalarF32(this.state.step + 1),
          [TRAIN_IO.lr]: lr,
        },
        { outputs: this.stateOutputs() },
      );
      this.state.commit();
      return { gradNorm: Number(out[TRAIN_IO.gradNorm].data[0]), microBatches: count };
    });
  }

  /** The loss and flat gradient at the current parameters, without an update (EWC's Fisher). */
  async gradient(batch: Feeds): Promise<GradientResult> {
    if (!this.gradientSession) {
      const loading = createSession(serializeModel(buildTrainGraph(this.spec, 'gradient').model), this.options);
      this.gradientSession = loading;
      // A failed load is not cached: the next call tries again (and release() has nothing to free).
      loading.catch(() => {
        if (this.gradientSession === loading) this.gradientSession = undefined;
      });
    }
    const session = await this.gradientSession;
    return this.state.exclusive(async () => {
      const grad = new Float32Array(this.state.total);
      const out = await session.run(
        { ...batch, [TRAIN_IO.params]: this.state.params.frontTensor() },
        { outputs: { [TRAIN_IO.grad]: { dtype: 'float32', dims: [grad.length], data: grad } } },
      );
      return { loss: Number(out[TRAIN_IO.loss].data[0]), grad };
    });
  }

  async release(): Promise<void> {
    const sessions: Array<Promise<RuntimeSession> | RuntimeSession | undefined> = [
      this.stepSession,
      this.accumulateSession,
      this.applySession,
      this.gradientSession,
    ];
    this.gradientSession = undefined;
    await Promise.all(sessions.map(async (s) => (await Promise.resolve(s).catch(() => undefined))?.release()));
  }

  private accumulation(): { accumulate: RuntimeSession; apply: RuntimeSession } {
    if (!this.accumulateSession || !this.applySession) {
      throw new CoinError(
        'TRAIN.NO_ACCUMULATION',
        'FAILED_PRECONDITION',
        'this runner was created without gradient accumulation',
        { hint: 'pass accumulation > 1 to TrainRunner.create' },
      );
    }
    return { accumulate: this.accumulateSession, apply: this.applySession };
  }

  private rateTensor(rates: LearningRates): HostTensor {
    return { dtype: 'float32', dims: [this.groups.length], data: rateVector(this.groups, rates) };
  }

  private stateFeeds(): Record<string, HostTensor> {
    return {
      [TRAIN_IO.params]: this.state.params.frontTensor(),
      [TRAIN_IO.m]: this.state.m.frontTensor(),
      [TRAIN_IO.v]: this.state.v.frontTensor(),
    };
  }

  private stateOutputs(): Record<string, HostTensor> {
    return {
      [TRAIN_IO.paramsOut]: this.state.params.backTensor(),
      [TRAIN_IO.mOut]: this.state.m.backTensor(),
      [TRAIN_IO.vOut]: this.state.v.backTensor(),
    };
  }
}
