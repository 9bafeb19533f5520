/** The base model a run's units load: the pretrained preset base from the store, or a given folder. */
import { type BaseModel, loadBase, type PresetName } from '@coin/training';
import type { GivenBaseUnit, PretrainUnit } from '../plan/units.js';
import { type UnitEnv, unitFiles } from './unit-env.js';

export async function baseFolder(unit: PretrainUnit | GivenBaseUnit, env: UnitEnv): Promise<string> {
  return unit.kind === 'base' ? unit.dir : unitFiles(env, unit.prefix);
}

export async function loadRunBase(
  unit: PretrainUnit | GivenBaseUnit,
  preset: PresetName,
  env: UnitEnv,
): Promise<BaseModel> {
  return loadBase(await baseFolder(unit, env), preset);
}
