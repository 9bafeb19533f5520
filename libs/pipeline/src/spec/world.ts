/**
 * How big the synthetic world of a run is (docs/protocol.md#coin-run). 50 test items per task make
 * accuracy move in steps of 2 points; 800 training items give a stage 50 steps of 16 in CoIN's one
 * epoch (200 items, the size before, left a stage 13 steps: it learned nothing but the answer
 * prior); micro, the CI preset, takes a smaller world.
 */
import { invalidArgument } from '@coin/core';
import type { PresetName } from '@coin/training';

export interface WorldSize {
  /** Training items per task (before the run's fraction). */
  readonly train: number;
  /** Test items per task. */
  readonly test: number;
  /** Captioned pretraining images per task. */
  readonly pretrain: number;
}

export const WORLD_SIZES: Readonly<Record<PresetName, WorldSize>> = {
  micro: { train: 48, test: 12, pretrain: 40 },
  tiny: { train: 800, test: 50, pretrain: 200 },
  small: { train: 800, test: 50, pretrain: 200 },
};

export function worldOptions(preset: PresetName, override: Partial<WorldSize> = {}): WorldSize {
  const size = { ...WORLD_SIZES[preset], ...override };
  for (const [k, v] of Object.entries(size))
    if (!Number.isInteger(v) || v < 1 || v > 100_000)
      throw invalidArgument('RUN.BAD_FLAG', `world ${k} must be a whole number from 1 to 100000, got ${v}`);
  return size;
}
