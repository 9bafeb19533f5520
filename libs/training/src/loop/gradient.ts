import { buildTrainGraph, TRAIN_IO, type TrainGraphSpec } from '@coin/autodiff';
import { serializeModel, type TensorData } from '@coin/onnx';
import { createSession, type FlatLayout, type RuntimeSession, type SessionOptions } from '@coin/runtime';
import type { StageBatch } from '../methods/method.js';

/**
 * Gradients of the cross-entropy alone at fixed parameters (ewc's Fisher): the `accumulate` graph
 * of the stage's spec built without the method's terms, fed a zero accumulator. One session per
 * batch shape, built on first use.
 */
export class GradientProbe {
  private readonly sessions = new Map<string, { session: RuntimeSession; layout: FlatLayout }>();

  constructor(
    private readonly makeSpec: (batch: number, seq: number) => TrainGraphSpec,
    private readonly params: ReadonlyMap<string, TensorData>,
    private readonly options: SessionOptions,
  ) {}

  async gradient(batch: StageBatch): Promise<{ loss: number; grad: ReadonlyMap<string, Float32Array> }> {
    const key = `${batch.batch}x${batch.seq}`;
    let s = this.sessions.get(key);
    if (!s) {
      const graph = buildTrainGraph(this.makeSpec(batch.batch, batch.seq), 'accumulate');
      s = { session: await createSession(serializeModel(graph.model), this.options), layout: graph.layout };
      this.sessions.set(key, s);
    }
    const flat = (data: Float32Array): TensorData => ({ dtype: 'float32', dims: [data.length], data });
    const packed = new Float32Array(s.layout.total);
    for (const e of s.layout.entries) packed.set(this.params.get(e.name)!.data as Float32Array, e.offset);
    const out = await s.session.run({
      ...batch.feeds,
      [TRAIN_IO.params]: flat(packed),
      [TRAIN_IO.gradAcc]: flat(new Float32Array(s.layout.total)),
    });
    const all = out[TRAIN_IO.gradAccOut].data as Float32Array;
    const grad = new Map<string, Float32Array>();
    for (const e of s.layout.entries) grad.set(e.name, all.slice(e.offset, e.offset + e.size));
    return { loss: Number(out[TRAIN_IO.loss].data[0]), grad };
  }

  async release(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.session.release()));
  }
}
