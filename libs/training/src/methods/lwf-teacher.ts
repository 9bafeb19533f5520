import { GraphBuilder, serializeModel, type TensorData } from '@coin/onnx';
import {
  type AdapterConfig,
  declareVlmInputs,
  lmHead,
  type ModelConfig,
  VLM_INPUTS,
  vlmHidden,
  WeightSource,
} from '@coin/model';
import { createSession, type HostTensor, type RuntimeSession, type SessionOptions } from '@coin/runtime';

/** The batch input through which the teacher's logits reach the training graph. */
export const LWF_TEACHER_INPUT = 'lwf_teacher_logits';

export interface TeacherOptions {
  readonly config: ModelConfig;
  /** The previous stage's weights: base, projector and (unmerged) adapter. */
  readonly weights: ReadonlyMap<string, TensorData>;
  /** The previous stage's adapter, applied unmerged (exact for LoRA, necessary for MoELoRA). */
  readonly adapter?: AdapterConfig;
  readonly session?: SessionOptions;
}

/**
 * LwF's teacher: the previous stage's model as an inference graph (vlmHidden → lmHead, every
 * weight frozen, no dropout), run on the host once per batch; its logits [B, T, V] are fed to the
 * training graph as LWF_TEACHER_INPUT. One session per (batch, seq) bucket, built on first use.
 */
export class LwfTeacher {
  private readonly sessions = new Map<string, Promise<RuntimeSession>>();

  constructor(private readonly o: TeacherOptions) {}

  /** The teacher's logits for a training batch (labels and other extra feeds are ignored). */
  async logits(batch: Readonly<Record<string, HostTensor>>): Promise<HostTensor> {
    const [size, seq] = batch[VLM_INPUTS.ids].dims;
    const key = `${size}x${seq}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = createSession(serializeModel(teacherGraph(this.o, size, seq)), this.o.session ?? {});
      this.sessions.set(key, session);
    }
    const names = [
      VLM_INPUTS.pixels,
      VLM_INPUTS.ids,
      VLM_INPUTS.attention,
      VLM_INPUTS.imageIndex,
      VLM_INPUTS.imageMask,
    ];
    const out = await (await session).run(Object.fromEntries(names.map((n) => [n, batch[n]])));
    return out[LWF_TEACHER_INPUT];
  }

  async release(): Promise<void> {
    await Promise.all([...this.sessions.values()].map(async (s) => (await s).release()));
    this.sessions.clear();
  }
}

function teacherGraph(o: TeacherOptions, batch: number, seq: number) {
  const b = new GraphBuilder('lwf_teacher');
  const ctx = { b, w: new WeightSource(b, o.weights), adapter: o.adapter };
  const inputs = declareVlmInputs(b, o.config, batch, seq);
  b.output(lmHead(ctx, o.config.decoder, vlmHidden(ctx, o.config, inputs)), LWF_TEACHER_INPUT); // [B, T, V]
  return b.model({ docString: 'LwF teacher: the previous stage, logits only' });
}
