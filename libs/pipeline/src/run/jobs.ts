/**
 * The compute jobs of a run — what a worker process (or the orchestrating one) executes: prep,
 * pretraining, one training stage, the evaluation cells of one model. Plain JSON, so a job crosses
 * a process boundary (JobScheduler) unchanged.
 */
import type { PrepUnit, PretrainUnit } from '../plan/units.js';
import { type EvalJob, runEvals } from '../units/eval.js';
import { runPrep } from '../units/prep.js';
import { runPretrain } from '../units/pretrain.js';
import { runStage, type StageJob } from '../units/stage.js';
import type { UnitEnv } from '../units/unit-env.js';

export type UnitJob =
  | { readonly kind: 'prep'; readonly unit: PrepUnit }
  | { readonly kind: 'pretrain'; readonly unit: PretrainUnit }
  | StageJob
  | EvalJob;

export async function runUnitJob(job: UnitJob, env: UnitEnv): Promise<Record<string, unknown>> {
  switch (job.kind) {
    case 'prep':
      return runPrep(job.unit, env);
    case 'pretrain':
      return runPretrain(job.unit, env);
    case 'stage':
      return runStage(job, env);
    case 'eval':
      return runEvals(job, env);
  }
}

/** Where a job runs: in this process, or in a worker process through a JobScheduler. */
export interface UnitRunner {
  run(
    job: UnitJob,
    name: string,
    onProgress: (event: Readonly<Record<string, unknown>>) => void,
    signal?: AbortSignal,
  ): Promise<{ readonly result: Record<string, unknown>; readonly peakRssMb: number | null }>;
}
