/**
 * The evaluation units of one model (a stage's checkpoint, or the base for the zero-shot row): one
 * process builds the generators once and answers every pending task, each cell published on its
 * own (CoIN-format merge.jsonl, scored in both fidelities) as soon as it is done.
 */
import { join } from 'node:path';
import { loadStageModel, scoreCell, StageEvaluator } from '@coin/evaluation';
import { ImageTensorCache } from '@coin/data';
import type { EvalUnit, GivenBaseUnit, PrepUnit, PretrainUnit, StageUnit } from '../plan/units.js';
import type { RunSpec } from '../spec/run-spec.js';
import { loadRunBase } from './base.js';
import { publishUnit, type UnitEnv, unitFiles } from './unit-env.js';

export interface EvalJob {
  readonly kind: 'eval';
  readonly spec: RunSpec;
  readonly base: PretrainUnit | GivenBaseUnit;
  readonly world: PrepUnit;
  readonly stage?: StageUnit;
  readonly cells: readonly EvalUnit[];
}

export interface EvalCellMeta extends Record<string, unknown> {
  readonly task: string;
  readonly accuracy: { readonly coin: number; readonly strict: number };
  readonly count: number;
  readonly capped: number;
  readonly wall_s: number;
}

export async function runEvals(job: EvalJob, env: UnitEnv): Promise<Record<string, unknown>> {
  const { spec } = job;
  const base = await loadRunBase(job.base, spec.preset, env);
  const dataDir = await unitFiles(env, job.world.prefix);
  const stageDir = job.stage ? await unitFiles(env, job.stage.prefix) : undefined;
  const model = await loadStageModel(base, stageDir);
  // Preprocessed images on disk, keyed by content and preprocessing: a task evaluated after every
  // later stage decodes its images once per store.
  const imageCache = new ImageTensorCache(join(env.cacheDir, 'images'));
  const evaluator = await StageEvaluator.create(model, base.tokenizer, {
    batch: spec.evalBatch,
    session: env.session,
    imageCache,
  });
  const cells: Record<string, EvalCellMeta> = {};
  try {
    for (const cell of job.cells) {
      env.signal?.throwIfAborted();
      cells[cell.key] = (await publishUnit(env, cell, 'eval', async (files) => {
        const started = performance.now();
        const out = await evaluator.evaluate(cell.task, {
          dataDir,
          variant: spec.variant,
          seed: spec.seed,
          modelId: job.stage ? `${spec.method}-${job.stage.index}-${job.stage.name}` : 'base',
          out: files,
          signal: env.signal,
          onBatch: (done: number, total: number) => env.progress({ type: 'eval', task: cell.task, done, total }),
        });
        const meta: EvalCellMeta = {
          task: cell.task,
          accuracy: scoreCell(dataDir, spec.variant, cell.task, out.file),
          count: out.count,
          capped: out.capped,
          wall_s: (performance.now() - started) / 1000,
        };
        return meta;
      })) as EvalCellMeta;
    }
  } finally {
    await evaluator.release();
  }
  return { cells };
}
