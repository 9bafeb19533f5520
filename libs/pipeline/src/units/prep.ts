/** The prep unit: the run's synthetic world (docs/protocol.md#coin-run), generated and published. */
import { prepareSynth } from '@coin/data';
import type { PrepUnit } from '../plan/units.js';
import { publishUnit, type UnitEnv } from './unit-env.js';

export async function runPrep(unit: PrepUnit, env: UnitEnv): Promise<Record<string, unknown>> {
  return publishUnit(env, unit, 'prep', async (files) => {
    const result = await prepareSynth(files, unit.world, { signal: env.signal });
    return { counts: result.manifest.counts ?? {} };
  });
}
