/** The pretrain unit: the preset's base model, pretrained on the world and published. */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { publishDir } from '@coin/platform';
import { type PresetName, pretrainBase } from '@coin/training';
import type { PretrainUnit } from '../plan/units.js';
import { scratchDir, type UnitEnv, unitFiles } from './unit-env.js';

export async function runPretrain(unit: PretrainUnit, env: UnitEnv): Promise<Record<string, unknown>> {
  const world = await unitFiles(env, `datasets/${unit.world}`);
  const scratch = scratchDir(env, unit.key);
  await rm(scratch, { recursive: true, force: true });
  try {
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
    await mkdir(join(scratch, 'out'), { recursive: true });
    await rename(made.dir, join(scratch, 'out', 'files'));
    const meta = { baseKey: made.key, seconds: made.seconds };
    await publishDir(env.store, unit.prefix, join(scratch, 'out'), { key: unit.key, kind: 'pretrain', meta });
    return meta;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
