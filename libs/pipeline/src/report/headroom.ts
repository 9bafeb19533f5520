/**
 * How much a task has to gain from tuning: the multitask run's final score (the upper bound) minus
 * the zero-shot run's (the base model untouched). Where that is small, the base already knows the
 * task and forgetting on it says little about the method.
 */
import { type Summary, summarize } from '@coin/metrics';
import type { Cell, RunResults } from '../results/results.js';
import type { RunGroup } from './group-runs.js';

/** Below this many points of headroom a task is flagged (scores are 0–100). */
export const SMALL_HEADROOM = 5;

export interface HeadroomRow {
  readonly task: string;
  readonly zeroShot: Summary;
  readonly multitask: Summary;
  /** multitask mean − zero-shot mean; null when either is missing. */
  readonly headroom: Cell;
  readonly small: boolean;
}

export interface HeadroomTable {
  /** The multitask group's label. */
  readonly multitask: string;
  readonly zeroShotRuns: number;
  readonly rows: readonly HeadroomRow[];
}

/** The run's last row's score on `task`, or null. */
function finalScore(run: RunResults, task: string): Cell {
  const i = run.tasks.indexOf(task);
  return i < 0 ? null : (run.accuracy.matrix.at(-1)?.[i] ?? null);
}

/**
 * One table per multitask group, against every zero-shot run of the set pooled (the base model does
 * not depend on the method's settings). Empty without both kinds of run.
 */
export function headroomTables(groups: readonly RunGroup[]): HeadroomTable[] {
  const zeroShotRuns = groups.filter((g) => g.method === 'zeroshot').flatMap((g) => g.runs);
  if (zeroShotRuns.length === 0) return [];
  return groups
    .filter((g) => g.method === 'multitask')
    .map((g) => ({
      multitask: g.label,
      zeroShotRuns: zeroShotRuns.length,
      rows: g.runs[0].tasks.map((task) => {
        const zeroShot = summarize(zeroShotRuns.map((r) => finalScore(r, task)));
        const multitask = summarize(g.runs.map((r) => finalScore(r, task)));
        const headroom = zeroShot.mean === null || multitask.mean === null ? null : multitask.mean - zeroShot.mean;
        return { task, zeroShot, multitask, headroom, small: headroom !== null && headroom < SMALL_HEADROOM };
      }),
    }));
}
