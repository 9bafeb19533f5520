import type { TrainGraphSpec } from '@coin/autodiff';
import { GraphBuilder, serializeModel, type Value } from '@coin/onnx';
import { createSession, type HostTensor, type RuntimeSession, type SessionOptions } from '@coin/runtime';

const LOSS = 'loss';

/**
 * The forward half of a training spec as its own session: the loss of a batch under given
 * parameter values, with no gradient and no optimizer state touched (a held-out loss must not move
 * Adam's moments or step count, as a zero-rate step of the training graph would).
 */
export class LossEvaluator {
  private constructor(
    private readonly session: RuntimeSession,
    private readonly names: readonly string[],
  ) {}

  static async create(spec: TrainGraphSpec, options: SessionOptions = {}): Promise<LossEvaluator> {
    const b = new GraphBuilder(`${spec.name}_eval`);
    const params = new Map<string, Value>();
    for (const p of spec.trainable) params.set(p.name, b.input(p.name, 'float32', [...p.dims]));
    b.output(spec.forward(b, params), LOSS);
    const session = await createSession(serializeModel(b.model({ docString: `loss of ${spec.name}` })), options);
    return new LossEvaluator(
      session,
      spec.trainable.map((p) => p.name),
    );
  }

  /** Mean loss of one batch (the spec's reduction: mean over the labelled positions). */
  async loss(
    batch: Readonly<Record<string, HostTensor>>,
    params: Readonly<Record<string, Float32Array>>,
    dims: ReadonlyMap<string, readonly number[]>,
  ): Promise<number> {
    const feeds: Record<string, HostTensor> = { ...batch };
    for (const name of this.names)
      feeds[name] = { dtype: 'float32', dims: [...(dims.get(name) ?? [])], data: params[name] };
    const out = await this.session.run(feeds);
    return Number(out[LOSS].data[0]);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Mean training loss over the first and the last tenth of the steps (at least one step each). */
export function firstAndLastTenth(losses: readonly number[]): { first: number; last: number } {
  const tenth = Math.max(1, Math.floor(losses.length / 10));
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return { first: mean(losses.slice(0, tenth)), last: mean(losses.slice(-tenth)) };
}
