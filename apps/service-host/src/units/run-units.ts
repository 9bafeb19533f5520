/**
 * Finds a run's units from their resource names: the run's resolved spec (runs/{run}/spec.json,
 * written when the run starts) is planned again, which gives every unit's key and so its place in
 * the store; whether it is done is its manifest (unitState).
 */
import { CoinError } from '@coin/core';
import { type EvalUnit, type JudgeUnit, planFor, type RunPlan, type RunSpec, type StageUnit } from '@coin/pipeline';
import { type ObjectStore, readUnitJson } from '@coin/platform';
import type { CellName } from './resource-names.js';

export interface PlannedRun {
  readonly id: string;
  readonly spec: RunSpec;
  readonly plan: RunPlan;
}

export async function loadPlannedRun(store: ObjectStore, id: string): Promise<PlannedRun> {
  const path = `runs/${id}/spec.json`;
  if (!(await store.exists(path)))
    throw new CoinError('RUN.NOT_FOUND', 'NOT_FOUND', `no run ${id} in ${store.url}`, {
      hint: 'list the runs with BenchmarkService.ListRuns (coin status)',
      details: { run: id },
    });
  const spec = await readUnitJson<RunSpec>(store, path);
  return { id, spec, plan: await planFor(spec) };
}

export function stageOf(run: PlannedRun, index: number): StageUnit {
  const stage = run.plan.stages[index - 1];
  if (!stage)
    throw new CoinError('STAGE.NOT_FOUND', 'NOT_FOUND', `run ${run.id} has no stage ${index}`, {
      hint: `its stages are 1 to ${run.plan.stages.length}`,
      details: { run: run.id, stage: index },
    });
  return stage;
}

/** The evaluation cell (stage j, task); j = 0 is the base model's zero-shot row. */
export function evalCellOf(run: PlannedRun, cell: CellName): EvalUnit {
  const cells = cell.stage === 0 ? run.plan.zeroShot : (run.plan.evals[cell.stage - 1] ?? []);
  const found = cells.find((c) => c.task === cell.task);
  if (!found)
    throw new CoinError(
      'EVAL.NOT_FOUND',
      'NOT_FOUND',
      `run ${run.id} evaluates no ${cell.task} after stage ${cell.stage}`,
      {
        hint:
          cells.length > 0
            ? `stage ${cell.stage} evaluates ${cells.map((c) => c.task).join(', ')}`
            : `stages are 1 to ${run.plan.stages.length}${run.plan.zeroShot.length > 0 ? ' (0: the base)' : ''}`,
        details: { run: run.id, stage: cell.stage, task: cell.task },
      },
    );
  return found;
}

export function judgeCellOf(run: PlannedRun, cell: CellName): JudgeUnit {
  const evalUnit = evalCellOf(run, cell);
  const judge = run.plan.judges.find((j) => j.eval.key === evalUnit.key);
  if (!judge)
    throw new CoinError(
      'JUDGE.NOT_FOUND',
      'NOT_FOUND',
      `run ${run.id} judges no ${cell.task} after stage ${cell.stage}`,
      {
        details: { run: run.id, stage: cell.stage, task: cell.task },
      },
    );
  return judge;
}

/** The 1-based position of a task in the run's order (a cell's task_index). */
export function taskIndexOf(run: PlannedRun, task: string): number {
  return run.spec.tasks.indexOf(task as RunSpec['tasks'][number]) + 1;
}
