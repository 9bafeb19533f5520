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

/** What a model's evaluation needs: the run, its base, world and the stage whose checkpoint is loaded. */
export type EvalModelSource = Pick<EvalJob, 'spec' | 'base' | 'world' | 'stage'>;

/** A loaded model ready to answer: evaluates cells one by one, then is released. */
export interface EvalModel {
  /** Same key, same loaded model: the base, the stage checkpoint and the generation settings. */
  readonly key: string;
  evaluate(cell: EvalUnit, env: UnitEnv): Promise<EvalCellMeta>;
  release(): Promise<void>;
}

export function evalModelKey(source: EvalModelSource): string {
  return `${source.base.key}/${source.stage?.key ?? 'base'}/${source.spec.evalBatch}`;
}

/** Loads the model of `source` once (base, stage checkpoint, generators). */
export async function openEvalModel(source: EvalModelSource, env: UnitEnv): Promise<EvalModel> {
  const { spec } = source;
  const base = await loadRunBase(source.base, spec.preset, env);
  const dataDir = await unitFiles(env, source.world.prefix);
  const stageDir = source.stage ? await unitFiles(env, source.stage.prefix) : undefined;
  const model = await loadStageModel(base, stageDir);
  // Preprocessed images on disk, keyed by content and preprocessing: a task evaluated after every
  // later stage decodes its images once per store.
  const imageCache = new ImageTensorCache(join(env.cacheDir, 'images'));
  const evaluator = await StageEvaluator.create(model, base.tokenizer, {
    batch: spec.evalBatch,
    session: env.session,
    imageCache,
  });
  const stage = source.stage;
  return {
    key: evalModelKey(source),
    release: () => evaluator.release(),
    evaluate: async (cell, cellEnv) =>
      (await publishUnit(cellEnv, cell, 'eval', async (files) => {
        const started = performance.now();
        const out = await evaluator.evaluate(cell.task, {
          dataDir,
          variant: spec.variant,
          seed: spec.seed,
          modelId: stage ? `${spec.method}-${stage.index}-${stage.name}` : 'base',
          out: files,
          signal: cellEnv.signal,
          onBatch: (done: number, total: number) => cellEnv.progress({ type: 'eval', task: cell.task, done, total }),
        });
        const meta: EvalCellMeta = {
          task: cell.task,
          accuracy: scoreCell(dataDir, spec.variant, cell.task, out.file),
          count: out.count,
          capped: out.capped,
          wall_s: (performance.now() - started) / 1000,
        };
        return meta;
      })) as EvalCellMeta,
  };
}

export async function runEvals(job: EvalJob, env: UnitEnv): Promise<Record<string, unknown>> {
  const model = await openEvalModel(job, env);
  const cells: Record<string, EvalCellMeta> = {};
  try {
    for (const cell of job.cells) {
      env.signal?.throwIfAborted();
      cells[cell.key] = await model.evaluate(cell, env);
    }
  } finally {
    await model.release();
  }
  return { cells };
}
