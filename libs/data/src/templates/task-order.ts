import { CoinError } from '@coin/core';
import { COIN_TASKS, type CoinTask } from '../formats/records.js';

/**
 * Task orders (docs/protocol.md#tasks-and-order, docs/protocol.md#task-order): the default order, the alphabetical order of the task-order
 * experiment (dataset names, Grounding sorted as "RefCOCO"), or any order the user lists.
 */
export const NAMED_TASK_ORDERS: Readonly<Record<string, readonly CoinTask[]>> = {
  default: COIN_TASKS,
  alphabetical: ['GQA', 'ImageNet', 'OCRVQA', 'Grounding', 'ScienceQA', 'TextVQA', 'VizWiz', 'VQAv2'],
};

/**
 * Resolves an order name ('default', 'alphabetical') or a comma-separated / array list of task
 * names (case-insensitive; a subset is allowed, repeats are not).
 */
export function resolveTaskOrder(spec: string | readonly string[]): CoinTask[] {
  if (typeof spec === 'string' && NAMED_TASK_ORDERS[spec.trim().toLowerCase()] !== undefined)
    return [...NAMED_TASK_ORDERS[spec.trim().toLowerCase()]];
  const names = (typeof spec === 'string' ? spec.split(',') : [...spec])
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const usage = `use ${Object.keys(NAMED_TASK_ORDERS).join(' or ')}, or a comma-separated list of: ${COIN_TASKS.join(', ')}`;
  if (names.length === 0)
    throw new CoinError('TASK_ORDER.EMPTY', 'INVALID_ARGUMENT', 'the task order is empty', { hint: usage });
  const seen = new Set<CoinTask>();
  return names.map((name) => {
    const normalised = name.toLowerCase().replace(/[-_ ]/g, '');
    const task = normalised === 'refcoco' ? 'Grounding' : COIN_TASKS.find((t) => t.toLowerCase() === normalised);
    if (task === undefined)
      throw new CoinError(
        'TASK_ORDER.UNKNOWN_TASK',
        'INVALID_ARGUMENT',
        `unknown task ${JSON.stringify(name)} in the task order`,
        { hint: usage },
      );
    if (seen.has(task))
      throw new CoinError(
        'TASK_ORDER.REPEATED_TASK',
        'INVALID_ARGUMENT',
        `task ${task} appears twice in the task order`,
        { hint: usage },
      );
    seen.add(task);
    return task;
  });
}
