/** The training lib's methods as resolveRunSpec reads them: names, flag resolution, training defaults. */
import { METHODS, type PresetName, trainingDefaults } from '@coin/training';
import type { MethodCatalogue } from './run-spec.js';

export const METHOD_CATALOGUE: MethodCatalogue = {
  names: METHODS.names,
  resolve: (method, preset, raw) => METHODS.resolve(method, preset, raw),
  training: (method, hyper, preset: PresetName) => ({
    ...trainingDefaults(preset),
    ...METHODS.get(method).training?.(hyper as never, preset),
  }),
};
