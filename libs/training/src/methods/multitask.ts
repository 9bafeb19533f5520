import { lora } from './lora.js';
import { type ContinualMethod, registryEntry } from './method.js';

/**
 * The upper-bound row: one LoRA trained once on the union of every task's training data (the
 * loop shuffles them together), then evaluated on every task.
 */
export const multitask: ContinualMethod = {
  ...registryEntry(lora),
  name: 'multitask',
  summary: 'one joint LoRA training on all tasks at once (upper bound)',
  plan: (tasks) => [{ name: 'multitask', tasks, train: true }],
};
