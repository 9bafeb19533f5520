/** The pretrain unit: the preset's base model, pretrained on the world and published. */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { type PresetName, pretrainBase } from '@coin/training';
import type { PretrainUnit } from '../plan/units.js';
import { publishUnit, type UnitEnv, unitFiles } from './unit-env.js';

export async function runPretrain(unit: PretrainUnit, env: UnitEnv): Promise<Record<string, unknown>> {
  const world = await unitFiles(env, unit.world.prefix);
  return publishUnit(env, unit, 'pretrain', async (files, scratch) => {
    const made = await pretrainBase({
      preset: unit.preset as PresetName,
      storeDir: join(scratch, 'store'),
      dataDir: world,
      hyper: unit.steps !== undefined ? { steps: unit.steps } : {},
      threads: env.session.threads,
      signal: env.signal,
      onEvent: (e) => {
        if (e.phase === 'train') env.progress({ type: 'pretrain', step: e.step, steps: e.steps, loss: e.loss });
      },
    });
    await rename(made.dir, files);
    return { baseKey: made.key, seconds: made.seconds };
  });
}
