import { numberFlag } from './flags.js';
import { lora, loraDefaults, loraFlags, type LoraHyper } from './lora.js';
import type { ContinualMethod, PresetName, StageSample } from './method.js';
import { ReplayMemory } from './replay-memory.js';

export type ReplayHyper = LoraHyper & {
  /** Samples kept from each finished task and mixed into every later stage. */
  readonly replayPerTask: number;
};

// About 5 % of a CoIN-Synth task's default training set at each preset.
const PER_TASK: Readonly<Record<PresetName, number>> = { micro: 8, tiny: 32, small: 64 };

/**
 * Experience replay: the LoRA baseline, with a seeded memory of N samples of every earlier task
 * mixed into each stage's data (ReplayMemory: a pure function of seed, task and data, so a resumed
 * run draws the same memory and no state is stored); docs/protocol.md#continual-learning-methods.
 */
export const replay: ContinualMethod<ReplayHyper> = {
  name: 'replay',
  summary: 'LoRA plus a seeded memory of N samples per earlier task mixed into each stage',
  evaluation: 'merged',
  flags: [
    ...loraFlags<ReplayHyper>(),
    numberFlag<ReplayHyper>(
      'replay',
      'replay-per-task',
      'replayPerTask',
      'samples kept per earlier task (0 = plain LoRA)',
      {
        min: 0,
        integer: true,
      },
    ),
  ],
  defaults: (preset) => ({ ...loraDefaults(preset), replayPerTask: PER_TASK[preset] }),
  prepareStage: lora.prepareStage,
  stageSamples(ctx, current, past) {
    const memory = new ReplayMemory<StageSample>(ctx.hyper.replayPerTask, ctx.seed);
    for (const t of past) memory.remember(t.task, t.samples);
    return memory.mix(current);
  },
};
