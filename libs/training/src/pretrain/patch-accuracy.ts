import type { TrainGraphSpec } from '@coin/autodiff';
import { type ModelConfig, WARMUP_INPUTS, warmupPatchLogits, WeightSource } from '@coin/model';
import { attr, GraphBuilder, serializeModel, type Value } from '@coin/onnx';
import { createSession, type HostTensor, type RuntimeSession, type SessionOptions } from '@coin/runtime';

/** How often the warm-up heads name what lies under a patch, counted over patches on an object. */
export interface PatchAccuracy {
  readonly class: number;
  readonly colour: number;
  /** Object patches counted. */
  readonly patches: number;
}

/**
 * The warm-up heads' predictions (arg-max per patch) as a session of their own, with the weights as
 * inputs, so any step's parameters can be scored without touching the optimizer.
 */
export class PatchScorer {
  private constructor(
    private readonly session: RuntimeSession,
    private readonly spec: TrainGraphSpec,
  ) {}

  static async create(
    spec: TrainGraphSpec,
    config: ModelConfig,
    batch: number,
    options: SessionOptions = {},
  ): Promise<PatchScorer> {
    const b = new GraphBuilder(`${spec.name}_predict`);
    const params = new Map<string, Value>();
    for (const p of spec.trainable) params.set(p.name, b.input(p.name, 'float32', [...p.dims]));
    const logits = warmupPatchLogits({ b, w: new WeightSource(b, new Map(), params) }, config, batch);
    const argmax = (v: Value) => b.op('ArgMax', [v], { axis: attr.int(-1), keepdims: attr.int(0) });
    b.output(argmax(logits.classes), 'class');
    b.output(argmax(logits.colours), 'colour');
    const session = await createSession(
      serializeModel(b.model({ docString: `patch labels of ${spec.name}` })),
      options,
    );
    return new PatchScorer(session, spec);
  }

  /** Accuracy over the object patches of labelled batches (WARMUP_INPUTS feeds). */
  async accuracy(
    batches: readonly Readonly<Record<string, HostTensor>>[],
    params: Readonly<Record<string, Float32Array>>,
  ): Promise<PatchAccuracy> {
    let patches = 0;
    let cls = 0;
    let colour = 0;
    for (const batch of batches) {
      const feeds: Record<string, HostTensor> = { [WARMUP_INPUTS.pixels]: batch[WARMUP_INPUTS.pixels] };
      for (const p of this.spec.trainable)
        feeds[p.name] = { dtype: 'float32', dims: [...p.dims], data: params[p.name] };
      const out = await this.session.run(feeds);
      const trueClass = batch[WARMUP_INPUTS.classes].data as BigInt64Array;
      const trueColour = batch[WARMUP_INPUTS.colours].data as BigInt64Array;
      const predClass = out.class.data as BigInt64Array;
      const predColour = out.colour.data as BigInt64Array;
      for (let i = 0; i < trueClass.length; i++) {
        if (trueClass[i] === 0n) continue;
        patches++;
        if (predClass[i] === trueClass[i]) cls++;
        if (predColour[i] === trueColour[i]) colour++;
      }
    }
    return { class: cls / Math.max(1, patches), colour: colour / Math.max(1, patches), patches };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
