import { CoinError } from '@coin/core';
import { serializeModel } from '@coin/onnx';
import {
  createSession,
  DoubleBuffer,
  type FlatLayout,
  type HostTensor,
  type RuntimeSession,
  type SessionOptions,
} from '@coin/runtime';
import { buildTrainGraph, TRAIN_IO, type TrainGraph, type TrainGraphSpec } from './assemble.js';

export interface StepResult {
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

const scalarF32 = (x: number): HostTensor => ({ dtype: 'float32', dims: [], data: new Float32Array([x]) });

/**
 * Runs training graphs in ONNX Runtime and owns the optimizer state on the host: parameters and
 * both Adam moments as three flat float32 vectors (libs/runtime DoubleBuffers). ORT reads the
 * front buffers and writes the new values straight into the back ones as preallocated outputs;
 * a swap makes them current. No per-step allocation, one copy each way.
 */
export class TrainRunner {
  private readonly params: DoubleBuffer;
  private readonly m: DoubleBuffer;
  private readonly v: DoubleBuffer;
  private gradAcc: DoubleBuffer | undefined;
  private stepCount = 0;

  private constructor(
    readonly layout: FlatLayout,
    private readonly stepSession: RuntimeSession,
    private readonly accumulateSession: RuntimeSession | undefined,
    private readonly applySession: RuntimeSession | undefined,
  ) {
    this.params = new DoubleBuffer(layout);
    this.m = new DoubleBuffer(layout);
    this.v = new DoubleBuffer(layout);
  }

  /** Builds and loads the graphs; `accumulation` > 1 also builds the accumulate/apply pair. */
  static async create(
    spec: TrainGraphSpec,
    options: SessionOptions & { accumulation?: number } = {},
  ): Promise<TrainRunner> {
    const load = async (g: TrainGraph) => createSession(serializeModel(g.model), options);
    const step = buildTrainGraph(spec, 'step');
    const withAccumulation = (options.accumulation ?? 1) > 1;
    return new TrainRunner(
      step.layout,
      await load(step),
      withAccumulation ? await load(buildTrainGraph(spec, 'accumulate')) : undefined,
      withAccumulation ? await load(buildTrainGraph(spec, 'apply')) : undefined,
    );
  }

  get total(): number {
    return this.layout.total;
  }

  /** Sets parameter values by name (others keep theirs); resets nothing else. */
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
    return Object.fromEntries(
      this.layout.entries.map((e) => [e.name, this.params.front.slice(e.offset, e.offset + e.size)]),
    );
  }

  get steps(): number {
    return this.stepCount;
  }

  /** One optimizer step on one batch. */
  async step(batch: Readonly<Record<string, HostTensor>>, lr: number): Promise<StepResult> {
    this.stepCount += 1;
    const out = await this.stepSession.run(
      { ...batch, ...this.stateFeeds(), [TRAIN_IO.step]: scalarF32(this.stepCount), [TRAIN_IO.lr]: scalarF32(lr) },
      { outputs: this.stateOutputs() },
    );
    this.swap();
    return { loss: Number(out[TRAIN_IO.loss].data[0]), gradNorm: Number(out[TRAIN_IO.gradNorm].data[0]) };
  }

  /** One optimizer step on the mean gradient of several micro-batches. Returns the mean loss. */
  async stepAccumulated(
    microBatches: ReadonlyArray<Readonly<Record<string, HostTensor>>>,
    lr: number,
  ): Promise<StepResult> {
    if (microBatches.length === 1) return this.step(microBatches[0], lr);
    if (!this.accumulateSession || !this.applySession) {
      throw new CoinError(
        'TRAIN.NO_ACCUMULATION',
        'FAILED_PRECONDITION',
        'this runner was created without gradient accumulation',
        { hint: 'pass accumulation > 1 to TrainRunner.create' },
      );
    }
    const acc = (this.gradAcc ??= new DoubleBuffer(this.layout));
    acc.front.fill(0);
    let loss = 0;
    for (const batch of microBatches) {
      const out = await this.accumulateSession.run(
        { ...batch, [TRAIN_IO.params]: this.params.frontTensor(), [TRAIN_IO.gradAcc]: acc.frontTensor() },
        { outputs: { [TRAIN_IO.gradAccOut]: acc.backTensor() } },
      );
      loss += Number(out[TRAIN_IO.loss].data[0]);
      acc.swap();
    }
    this.stepCount += 1;
    const out = await this.applySession.run(
      {
        ...this.stateFeeds(),
        [TRAIN_IO.gradAcc]: acc.frontTensor(),
        [TRAIN_IO.gradScale]: scalarF32(1 / microBatches.length),
        [TRAIN_IO.step]: scalarF32(this.stepCount),
        [TRAIN_IO.lr]: scalarF32(lr),
      },
      { outputs: this.stateOutputs() },
    );
    this.swap();
    return { loss: loss / microBatches.length, gradNorm: Number(out[TRAIN_IO.gradNorm].data[0]) };
  }

  async release(): Promise<void> {
    await Promise.all([this.stepSession, this.accumulateSession, this.applySession].map((s) => s?.release()));
  }

  private stateFeeds(): Record<string, HostTensor> {
    return {
      [TRAIN_IO.params]: this.params.frontTensor(),
      [TRAIN_IO.m]: this.m.frontTensor(),
      [TRAIN_IO.v]: this.v.frontTensor(),
    };
  }

  private stateOutputs(): Record<string, HostTensor> {
    return {
      [TRAIN_IO.paramsOut]: this.params.backTensor(),
      [TRAIN_IO.mOut]: this.m.backTensor(),
      [TRAIN_IO.vOut]: this.v.backTensor(),
    };
  }

  private swap(): void {
    this.params.swap();
    this.m.swap();
    this.v.swap();
  }
}
