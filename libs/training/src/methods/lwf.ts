import type { TensorData } from '@coin/onnx';
import type { HostTensor } from '@coin/runtime';
import { numberFlag } from './flags.js';
import { lora, loraAdapter, loraDefaults, loraFlags, type LoraHyper } from './lora.js';
import { LWF_TEACHER_INPUT, LwfTeacher } from './lwf-teacher.js';
import type { ContinualMethod, StageContext } from './method.js';
import { distillationLoss } from './penalties/distillation.js';

export type LwfHyper = LoraHyper & {
  /** α of CE + α · KL · T². */
  readonly lwfAlpha: number;
  /** T of softmax(z / T). */
  readonly lwfTemperature: number;
};

/** What LwF carries: the weights the previous stage trained (adapter and projector). */
export interface LwfState {
  readonly trained: ReadonlyMap<string, TensorData>;
}

type Ctx = StageContext<LwfHyper, LwfState>;

/**
 * Learning without forgetting (Li & Hoiem 2016) for an instruction-tuned VLM: on the current
 * task's data, the student's answer-token distributions are pulled toward those of the previous
 * stage's model (the teacher: base + the previous stage's trained adapter and projector, exactly
 * the model evaluated after that stage, also under `coin` fidelity where the student's projector
 * restarts). Teacher logits are computed per batch on the host and fed to the training graph
 * (docs/protocol.md#continual-learning-methods).
 */
export const lwf: ContinualMethod<LwfHyper, LwfState> = {
  name: 'lwf',
  summary: "LoRA plus distillation toward the previous stage's answer distributions",
  evaluation: 'merged',
  // Li & Hoiem's λ_o = 1 and Hinton's T = 2, at every preset.
  defaults: (preset) => ({ ...loraDefaults(preset), lwfAlpha: 1, lwfTemperature: 2 }),
  flags: [
    ...loraFlags<LwfHyper>(),
    numberFlag<LwfHyper>('lwf', 'lwf-alpha', 'lwfAlpha', 'α, the weight of the distillation term (0 = plain LoRA)', {
      min: 0,
    }),
    numberFlag<LwfHyper>(
      'lwf',
      'lwf-temperature',
      'lwfTemperature',
      'T, the softmax temperature of teacher and student',
      {
        min: Number.MIN_VALUE,
      },
    ),
  ],
  prepareStage: lora.prepareStage,
  extraInputs: (ctx, shape) =>
    active(ctx)
      ? [{ name: LWF_TEACHER_INPUT, dtype: 'float32', dims: [shape.batch, shape.seq, ctx.config.decoder.vocab] }]
      : [],
  async extraFeeds(batch, ctx): Promise<Record<string, HostTensor>> {
    if (!active(ctx)) return {};
    return { [LWF_TEACHER_INPUT]: await teacherOf(ctx).logits(batch.feeds) };
  },
  extraLoss(g, ctx) {
    if (!active(ctx)) return undefined;
    const kd = distillationLoss(g.b, g.logits, g.inputs.get(LWF_TEACHER_INPUT)!, g.labels, ctx.hyper.lwfTemperature);
    return g.b.op('Mul', [kd, g.b.scalar(kd.dtype, ctx.hyper.lwfAlpha)]);
  },
  async afterStage(ctx, outcome) {
    await releaseTeacher(ctx);
    return { trained: outcome.trained };
  },
  encodeState: (s) => s.trained,
  decodeState: (tensors) => ({ trained: tensors }),
};

const active = (ctx: Ctx) => ctx.state !== undefined && ctx.hyper.lwfAlpha > 0;

/** One teacher per carried state (i.e. per stage), built on first use and released after the stage. */
const teachers = new WeakMap<LwfState, LwfTeacher>();
function teacherOf(ctx: Ctx): LwfTeacher {
  const state = ctx.state!;
  let t = teachers.get(state);
  if (!t) {
    const weights = new Map([...ctx.base, ...state.trained]);
    t = new LwfTeacher({ config: ctx.config, weights, adapter: loraAdapter(ctx.hyper), session: ctx.session });
    teachers.set(state, t);
  }
  return t;
}

async function releaseTeacher(ctx: Ctx): Promise<void> {
  const t = ctx.state && teachers.get(ctx.state);
  if (!t) return;
  teachers.delete(ctx.state!);
  await t.release();
}
