/** The pretrain unit: the preset's base model, pretrained on the world and published. */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { type PresetName, pretrainBase, pretrainHyper } from '@coin/training';
import type { PretrainUnit } from '../plan/units.js';
import { publishUnit, type UnitEnv, unitFiles } from './unit-env.js';

export async function runPretrain(unit: PretrainUnit, env: UnitEnv): Promise<Record<string, unknown>> {
  const world = await unitFiles(env, unit.world.prefix);
  const preset = unit.preset as PresetName;
  const overrides = unit.steps !== undefined ? { steps: unit.steps } : {};
  // One progress count over both parts: the vision warm-up's steps, then captioning's.
  const hyper = pretrainHyper(preset, overrides);
  const warmup = hyper.visionWarmupSteps;
  const total = warmup + hyper.steps;
  return publishUnit(env, unit, 'pretrain', async (files, scratch) => {
    const made = await pretrainBase({
      preset,
      storeDir: join(scratch, 'store'),
      dataDir: world,
      hyper: overrides,
      threads: env.session.threads,
      signal: env.signal,
      onEvent: (e) => {
        if (e.phase === 'vision') env.progress({ type: 'pretrain', step: e.step, steps: total, loss: e.loss });
        if (e.phase === 'train') env.progress({ type: 'pretrain', step: warmup + e.step, steps: total, loss: e.loss });
      },
    });
    await rename(made.dir, files);
    return { baseKey: made.key, seconds: made.seconds };
  });
}
