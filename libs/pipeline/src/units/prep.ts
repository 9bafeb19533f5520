/** The prep unit: the run's synthetic world (docs/protocol.md#coin-run), generated and published. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareSynth } from '@coin/data';
import { publishDir } from '@coin/platform';
import type { PrepUnit } from '../plan/units.js';
import { scratchDir, type UnitEnv } from './unit-env.js';

export async function runPrep(unit: PrepUnit, env: UnitEnv): Promise<Record<string, unknown>> {
  const scratch = scratchDir(env, unit.key);
  await rm(scratch, { recursive: true, force: true });
  try {
    const result = await prepareSynth(join(scratch, 'files'), unit.world, { signal: env.signal });
    const meta = { counts: result.manifest.counts ?? {} };
    await publishDir(env.store, unit.prefix, scratch, { key: unit.key, kind: 'prep', meta });
    return meta;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
