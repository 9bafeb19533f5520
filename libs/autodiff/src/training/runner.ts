import { CoinError } from '@coin/core';
import { serializeModel } from '@coin/onnx';
import { createSession, type HostTensor, type RuntimeSession, type SessionOptions } from '@coin/runtime';
import { buildTrainGraph, TRAIN_IO, type TrainGraph, type TrainGraphSpec } from './assemble.js';
import type { ParamSlot } from './flat-layout.js';

export interface StepResult {
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

const f32 = (dims: readonly number[], data: Float32Array): HostTensor => ({ dtype: 'float32', dims, data });
const scalarF32 = (x: number): HostTensor => f32([], new Float32Array([x]));

/**
 * Runs training graphs in ONNX Runtime and owns the optimizer state on the host: parameters and
 * both Adam moments as three flat float32 vectors, written by ORT into preallocated buffers that
 * are swapped after each step (no per-step allocation, one copy each way).
 */
export class TrainRunner {
  private params: Float32Array;
  private m: Float32Array;
  private v: Float32Array;
  private next: { params: Float32Array; m: Float32Array; v: Float32Array };
  private gradAcc: Float32Array | undefined;
  private gradAccNext: Float32Array | undefined;
  private stepCount = 0;

  private constructor(
    readonly slots: readonly ParamSlot[],
    readonly total: number,
    private readonly stepSession: RuntimeSession,
    private readonly accumulateSession: RuntimeSession | undefined,
    private readonly applySession: RuntimeSession | undefined,
  ) {
    this.params = new Float32Array(total);
    this.m = new Float32Array(total);
    this.v = new Float32Array(total);
    this.next = { params: new Float32Array(total), m: new Float32Array(total), v: new Float32Array(total) };
  }

  /** Builds and loads the graphs; `accumulation` > 1 also builds the accumulate/apply pair. */
  static async create(spec: TrainGraphSpec, options: SessionOptions & { accumulation?: number } = {}): Promise<TrainRunner> {
    const load = async (g: TrainGraph) => createSession(serializeModel(g.model), options);
    const step = buildTrainGraph(spec, 'step');
    const withAccumulation = (options.accumulation ?? 1) > 1;
    return new TrainRunner(
      step.slots,
      step.total,
      await load(step),
      withAccumulation ? await load(buildTrainGraph(spec, 'accumulate')) : undefined,
      withAccumulation ? await load(buildTrainGraph(spec, 'apply')) : undefined,
    );
  }

  /** Sets parameter values by name (others keep theirs); resets nothing else. */
  setParams(values: Readonly<Record<string, ArrayLike<number>>>): void {
    for (const [name, data] of Object.entries(values)) {
      const slot = this.slots.find((s) => s.name === name);
      if (!slot) throw new CoinError('TRAIN.UNKNOWN_PARAM', 'INVALID_ARGUMENT', `no trainable parameter named ${name}`);
      if (data.length !== slot.size) throw new CoinError('TRAIN.BAD_PARAM', 'INVALID_ARGUMENT', `parameter ${name} needs ${slot.size} values, got ${data.length}`);
      this.params.set(data, slot.offset);
    }
  }

  /** A copy of every parameter, by name. */
  getParams(): Record<string, Float32Array> {
    return Object.fromEntries(this.slots.map((s) => [s.name, this.params.slice(s.offset, s.offset + s.size)]));
  }

  get steps(): number {
    return this.stepCount;
  }

  /** One optimizer step on one batch. */
  async step(batch: Readonly<Record<string, HostTensor>>, lr: number): Promise<StepResult> {
    this.stepCount += 1;
    const out = await this.stepSession.run(
      { ...batch, ...this.stateFeeds(), [TRAIN_IO.params]: f32([this.total], this.params), [TRAIN_IO.step]: scalarF32(this.stepCount), [TRAIN_IO.lr]: scalarF32(lr) },
      { outputs: this.stateOutputs() },
    );
    this.swap();
    return { loss: Number(out[TRAIN_IO.loss].data[0]), gradNorm: Number(out[TRAIN_IO.gradNorm].data[0]) };
  }

  /** One optimizer step on the mean gradient of several micro-batches. Returns the mean loss. */
  async stepAccumulated(microBatches: ReadonlyArray<Readonly<Record<string, HostTensor>>>, lr: number): Promise<StepResult> {
    if (microBatches.length === 1) return this.step(microBatches[0], lr);
    if (!this.accumulateSession || !this.applySession) {
      throw new CoinError('TRAIN.NO_ACCUMULATION', 'FAILED_PRECONDITION', 'this runner was created without gradient accumulation', { hint: 'pass accumulation > 1 to TrainRunner.create' });
    }
    this.gradAcc ??= new Float32Array(this.total);
    this.gradAccNext ??= new Float32Array(this.total);
    this.gradAcc.fill(0);
    let loss = 0;
    for (const batch of microBatches) {
      const out = await this.accumulateSession.run(
        { ...batch, [TRAIN_IO.params]: f32([this.total], this.params), [TRAIN_IO.gradAcc]: f32([this.total], this.gradAcc) },
        { outputs: { [TRAIN_IO.gradAccOut]: f32([this.total], this.gradAccNext) } },
      );
      loss += Number(out[TRAIN_IO.loss].data[0]);
      [this.gradAcc, this.gradAccNext] = [this.gradAccNext, this.gradAcc];
    }
    this.stepCount += 1;
    const out = await this.applySession.run(
      {
        ...this.stateFeeds(),
        [TRAIN_IO.params]: f32([this.total], this.params),
        [TRAIN_IO.gradAcc]: f32([this.total], this.gradAcc),
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
    return { [TRAIN_IO.m]: f32([this.total], this.m), [TRAIN_IO.v]: f32([this.total], this.v) };
  }

  private stateOutputs(): Record<string, HostTensor> {
    return {
      [TRAIN_IO.paramsOut]: f32([this.total], this.next.params),
      [TRAIN_IO.mOut]: f32([this.total], this.next.m),
      [TRAIN_IO.vOut]: f32([this.total], this.next.v),
    };
  }

  private swap(): void {
    const { params, m, v } = this.next;
    this.next = { params: this.params, m: this.m, v: this.v };
    this.params = params;
    this.m = m;
    this.v = v;
  }
}
