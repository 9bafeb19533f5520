import { CoinError, Rng } from '@coin/core';

/**
 * Experience replay's memory: N samples of every finished task, chosen by a seeded uniform draw
 * without replacement from the task's whole training set (its stream derived from the seed and
 * the task's name, so a task's memory does not depend on which tasks came before it or on N of
 * other tasks). Reservoir sampling would give the same distribution for a stream; a stage's data
 * is all in hand, so the direct draw is simpler and is a pure function of (seed, task, data),
 * which lets a resumed run rebuild the memory instead of storing it. A task with fewer than N
 * samples is kept whole.
 */
export class ReplayMemory<T> {
  private readonly kept = new Map<string, readonly T[]>();

  constructor(
    readonly perTask: number,
    readonly seed: number,
  ) {
    if (!Number.isInteger(perTask) || perTask < 0)
      throw new CoinError(
        'METHOD.BAD_OPTION',
        'INVALID_ARGUMENT',
        `replay needs a whole number of samples per task, got ${perTask}`,
      );
  }

  /** Keeps N of a finished task's samples (in the drawn order). A task is remembered once. */
  remember(task: string, samples: readonly T[]): void {
    if (this.kept.has(task))
      throw new CoinError('METHOD.DUPLICATE_TASK', 'INVALID_ARGUMENT', `task ${task} is already in the replay memory`, {
        hint: 'Each task appears once in a run.',
      });
    this.kept.set(task, Rng.for(this.seed, 'replay', task).sample(samples, Math.min(this.perTask, samples.length)));
  }

  /** Samples kept per task, in the order the tasks were remembered. */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.kept].map(([task, s]) => [task, s.length]));
  }

  /**
   * What a stage trains on: all of the current task's samples followed by every remembered
   * sample, task by task. The loop's seeded shuffle interleaves them.
   */
  mix(current: readonly T[]): T[] {
    return [...current, ...[...this.kept.values()].flat()];
  }
}
