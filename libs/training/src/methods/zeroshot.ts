import { lora } from './lora.js';
import { type ContinualMethod, registryEntry } from './method.js';

/**
 * The lower-bound row: no tuning at all. Every stage writes a checkpoint of a fresh LoRA (B = 0,
 * a no-op) and the base's projector, so that the evaluation schedule runs unchanged and scores the
 * base model itself.
 */
export const zeroshot: ContinualMethod = {
  ...registryEntry(lora),
  name: 'zeroshot',
  summary: 'no tuning: the base model evaluated after every stage (lower bound)',
  plan: (tasks) => tasks.map((t) => ({ name: t, tasks: [t], train: false })),
};
