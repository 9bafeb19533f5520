/**
 * A run spec planned into units with their keys (docs/protocol.md#coin-run). Pure: no unit is
 * looked up or computed here.
 */
import { unitKey } from '@coin/core';
import { DEFAULT_SYNTH_OPTIONS, type CoinTask, type SynthOptions } from '@coin/data';
import { PRETRAIN_CODE_VERSION, type StagePlan } from '@coin/training';
import type { RunSpec } from '../spec/run-spec.js';
import { runId } from '../spec/run-spec.js';
import {
  type EvalUnit,
  type GivenBaseUnit,
  type JudgeUnit,
  type PrepUnit,
  type PretrainUnit,
  type RunPlan,
  type StageUnit,
  UNITS_CODE_VERSION,
} from './units.js';

const key = (inputs: unknown) => unitKey(inputs, UNITS_CODE_VERSION);

export function prepUnit(world: SynthOptions): PrepUnit {
  const k = key({ kind: 'prep', world });
  const what =
    world.variant === 'original' && world.fraction === 1 ? '' : ` (${world.variant}, fraction ${world.fraction})`;
  return { kind: 'prep', key: k, prefix: `datasets/${k}`, label: `world${what}`, world };
}

export interface PlanInputs {
  /** The method's stages for these tasks (`method.plan`, or one stage per task). */
  readonly stagePlan: readonly StagePlan[];
  /** A given base folder's content key (loadBase's), when the spec names one. */
  readonly givenBaseKey?: string;
}

export function planRun(spec: RunSpec, inputs: PlanInputs): RunPlan {
  const id = runId(spec);
  const worldOf = (variant: SynthOptions['variant'], fraction: number): SynthOptions => ({
    ...DEFAULT_SYNTH_OPTIONS,
    train: spec.world.train,
    test: spec.world.test,
    pretrain: spec.world.pretrain,
    variant,
    fraction,
  });
  const world = prepUnit(worldOf(spec.variant, spec.fraction));
  const pretrainWorld =
    spec.variant === 'original' && spec.fraction === 1 ? undefined : prepUnit(worldOf('original', 1));
  let base: PretrainUnit | GivenBaseUnit;
  if (spec.base !== undefined) {
    const k = inputs.givenBaseKey ?? key({ kind: 'base', dir: spec.base });
    base = { kind: 'base', key: k, prefix: '', label: `base ${spec.base}`, dir: spec.base };
  } else {
    const from = pretrainWorld ?? world;
    const k = key({
      kind: 'pretrain',
      code: PRETRAIN_CODE_VERSION,
      preset: spec.preset,
      world: from.key,
      steps: spec.pretrainSteps ?? null,
    });
    base = {
      kind: 'pretrain',
      key: k,
      prefix: `models/${k}`,
      label: `base ${spec.preset}`,
      preset: spec.preset,
      world: from,
      ...(spec.pretrainSteps !== undefined ? { steps: spec.pretrainSteps } : {}),
    };
  }
  // Everything a stage's training reads besides its own plan entry and the stages before it. Not
  // the task order: stage k reads only the tasks of stages 1..k, so orders that agree on their
  // first k tasks share their first k stages.
  const common = {
    base: base.key,
    world: world.key,
    preset: spec.preset,
    method: spec.method,
    hyper: spec.hyper,
    training: spec.training,
    variant: spec.variant,
    fidelity: spec.fidelity,
    seed: spec.seed,
  };
  const stages: StageUnit[] = [];
  inputs.stagePlan.forEach((p, i) => {
    const previous = [...stages];
    const k = key({ kind: 'stage', common, index: i + 1, plan: p, previous: previous.map((s) => s.key) });
    const row = Math.max(...p.tasks.map((t) => spec.tasks.indexOf(t as CoinTask)));
    stages.push({
      kind: 'stage',
      key: k,
      prefix: `stages/${k}`,
      label: `stage ${i + 1} ${p.name}`,
      index: i + 1,
      name: p.name,
      tasks: p.tasks,
      train: p.train,
      row,
      previous,
    });
  });
  // The model a stage leaves: its own checkpoint, or, when it trains nothing (zeroshot), the model
  // before it — so its evaluation cells are the same units as those of that model.
  const modelKey = new Map<StageUnit, string>();
  stages.forEach((s, i) => modelKey.set(s, s.train ? s.key : i === 0 ? base.key : modelKey.get(stages[i - 1])!));
  const evalUnit = (stage: StageUnit | undefined, row: number, column: number): EvalUnit => {
    const task = spec.tasks[column];
    const k = key({
      kind: 'eval',
      model: stage ? modelKey.get(stage) : base.key,
      world: world.key,
      variant: spec.variant,
      task,
      batch: spec.evalBatch,
      seed: spec.seed,
    });
    const where = stage ? `${stage.index}` : 'base';
    return { kind: 'eval', key: k, prefix: `evals/${k}`, label: `eval ${where}/${task}`, stage, row, column, task };
  };
  const evals = stages.map((s) => {
    const columns = spec.fullMatrix
      ? spec.tasks.map((_, i) => i)
      : spec.tasks.map((_, i) => i).filter((i) => i <= s.row);
    return columns.map((i) => evalUnit(s, s.row, i));
  });
  const zeroShot = spec.fullMatrix ? spec.tasks.map((_, i) => evalUnit(undefined, -1, i)) : [];
  const judgeOf = (e: EvalUnit): JudgeUnit => {
    const k = key({ kind: 'judge', eval: e.key, judge: spec.judge });
    return { kind: 'judge', key: k, prefix: `judge/${k}`, label: `judge ${e.label.slice(5)}`, eval: e };
  };
  const judges = [...zeroShot, ...evals.flat()].map(judgeOf);
  return { runId: id, world, ...(pretrainWorld ? { pretrainWorld } : {}), base, stages, evals, zeroShot, judges };
}
