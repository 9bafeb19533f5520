/**
 * The compute jobs of a run — what a worker process (or the orchestrating one) executes: prep,
 * pretraining, one training stage, the evaluation or judge cells of one model. Plain JSON, so a job crosses
 * a process boundary (JobScheduler) unchanged.
 */
import type { PrepUnit, PretrainUnit } from '../plan/units.js';
import type { RunSpec } from '../spec/run-spec.js';
import { type EvalJob, runEvals } from '../units/eval.js';
import { type JudgeJob, runJudges } from '../units/judge.js';
import { runPrep } from '../units/prep.js';
import { runPretrain } from '../units/pretrain.js';
import { runStage, type StageJob } from '../units/stage.js';
import type { UnitEnv } from '../units/unit-env.js';

export type UnitJob =
  // The spec rides along so that a runner can name the run (the bus runner's requests carry it).
  | { readonly kind: 'prep'; readonly spec: RunSpec; readonly unit: PrepUnit }
  | { readonly kind: 'pretrain'; readonly spec: RunSpec; readonly unit: PretrainUnit }
  | StageJob
  | EvalJob
  | JudgeJob;

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
    case 'judge':
      return runJudges(job, env);
  }
}

/**
 * Which job a runner is given: its name (unique per unit and attempt, so a second submit of it joins
 * the first), the key of the unit it computes, and which delivery of that unit's request this is.
 */
export interface JobRef {
  readonly name: string;
  readonly unitKey: string;
  /** 1 for the first try; a bus worker counts its request's redeliveries. */
  readonly attempt: number;
}

/**
 * The job of one unit: named by kind and key, and by the delivery when one is given (a bus worker's
 * request delivered again after a restart joins the job it started, a retry after a failure starts
 * a new one); without one, the first attempt under the bare name.
 */
export function jobRef(unit: { readonly kind: string; readonly key: string }, delivery?: number): JobRef {
  const name = `${unit.kind}-${unit.key.slice(0, 16)}`;
  return delivery === undefined
    ? { name, unitKey: unit.key, attempt: 1 }
    : { name: `${name}-${delivery}`, unitKey: unit.key, attempt: delivery };
}

/** Where a job runs: in this process, or in a worker process through a JobScheduler. */
export interface UnitRunner {
  run(
    job: UnitJob,
    ref: JobRef,
    onProgress: (event: Readonly<Record<string, unknown>>) => void,
    signal?: AbortSignal,
  ): Promise<{ readonly result: Record<string, unknown>; readonly peakRssMb: number | null }>;
}
