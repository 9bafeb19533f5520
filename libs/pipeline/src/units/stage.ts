/**
 * The stage unit: stage k of the method's plan, trained from the checkpoints of stages 1..k−1
 * (loaded, not retrained) and published. Its working folder lives under the cache by the unit's
 * key, so an interrupted stage continues from its last snapshot on the next `coin run`.
 */
import { mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { METHODS, runContinual } from '@coin/training';
import type { PrepUnit, GivenBaseUnit, PretrainUnit, StageUnit } from '../plan/units.js';
import type { RunSpec } from '../spec/run-spec.js';
import { loadRunBase } from './base.js';
import { publishUnit, type UnitEnv, unitFiles } from './unit-env.js';

export interface StageJob {
  readonly kind: 'stage';
  readonly spec: RunSpec;
  readonly base: PretrainUnit | GivenBaseUnit;
  readonly world: PrepUnit;
  readonly unit: StageUnit;
}

/**
 * Snapshots inside a stage every this many optimizer steps (resume after Ctrl-C or a killed
 * worker), and at least four per stage, so that a short stage is resumable too.
 */
const CHECKPOINT_EVERY = 10;
const checkpointEvery = (steps: number) => Math.max(1, Math.min(CHECKPOINT_EVERY, Math.floor(steps / 4)));

async function linkTo(target: string, path: string): Promise<void> {
  const existing = await readlink(path).catch(() => undefined);
  if (existing === target) return;
  await rm(path, { recursive: true, force: true });
  await symlink(target, path, 'dir');
}

export async function runStage(job: StageJob, env: UnitEnv): Promise<Record<string, unknown>> {
  const { spec, unit } = job;
  const base = await loadRunBase(job.base, spec.preset, env);
  const dataDir = await unitFiles(env, job.world.prefix);
  const work = join(env.cacheDir, 'work', unit.key);
  await mkdir(work, { recursive: true });
  for (const prev of unit.previous)
    await linkTo(await unitFiles(env, prev.prefix), join(work, `${prev.index}-${prev.name}`));
  const records = await runContinual({
    method: METHODS.get(spec.method),
    hyper: spec.hyper,
    training: spec.training,
    preset: spec.preset,
    fidelity: spec.fidelity,
    seed: spec.seed,
    tasks: spec.tasks,
    dataDir,
    variant: spec.variant,
    base,
    out: work,
    session: env.session,
    checkpointEvery,
    resume: true,
    untilStage: unit.index,
    onStageStart: (p, k, n) => {
      if (k === unit.index) env.progress({ type: 'stage-start', stage: k, name: p.name, steps: n });
    },
    onStep: (row) => {
      env.signal?.throwIfAborted();
      env.progress({ type: 'step', step: row.step, steps: row.steps, loss: row.loss });
    },
  });
  const record = records[unit.index - 1];
  const meta = await publishUnit(env, unit, 'stage', async (files) => {
    await rename(record.dir, files);
    return {
      stage: unit.index,
      name: unit.name,
      steps: record.steps,
      truncated: record.truncated,
      first_loss: record.losses[0] ?? null,
      last_loss: record.losses.at(-1) ?? null,
      samples: record.samplesPerTask,
    };
  });
  await rm(work, { recursive: true, force: true });
  return meta;
}
