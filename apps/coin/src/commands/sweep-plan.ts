/**
 * What `coin sweep --grid FILE [run flags]` asks for: the grid file read and checked, the run flags
 * as the base, and the grid expanded into its runs — every refusal a usage error (exit 2) before
 * any call or any work.
 */
import { readFile } from 'node:fs/promises';
import type { Command, Option } from 'commander';
import { CoinError, invalidArgument } from '@coin/core';
import type { RunSpec as ProtoRunSpec, SweepGrid } from '@coin/contracts';
import type { ExpandedSweep } from '@coin/pipeline';
import { type RunFlags, runInputFromFlags } from './run-flags.js';

export interface SweepPlan {
  readonly grid: SweepGrid;
  readonly base: ProtoRunSpec;
  readonly expanded: ExpandedSweep;
}

export async function sweepPlanFromFlags(
  cmd: Command,
  flags: RunFlags & { grid?: string },
  methodFlags: ReadonlyMap<string, Option>,
): Promise<SweepPlan> {
  const pipeline = await import('@coin/pipeline');
  if (!flags.grid)
    throw invalidArgument(
      'SWEEP.NO_GRID',
      '`coin sweep` needs --grid FILE',
      'e.g. coin sweep --grid sweep.yaml --preset micro',
    );
  let text: string;
  try {
    text = await readFile(flags.grid, 'utf8');
  } catch (e) {
    throw new CoinError('SWEEP.GRID_NOT_FOUND', 'INVALID_ARGUMENT', `cannot read the grid file ${flags.grid}`, {
      hint: 'give the path of a YAML grid file (docs/protocol.md#sweeps)',
      details: { file: flags.grid, error: (e as Error).message },
    });
  }
  const grid = pipeline.parseGridFile(text, flags.grid);
  const fromCli = (name: string) => cmd.getOptionValueSource(name) === 'cli';
  if (grid.methods.length > 0 && fromCli('method'))
    throw invalidArgument(
      'SWEEP.AXIS_AND_FLAG',
      `--method and the grid's methods both say which method`,
      'give one of the two',
    );
  for (const [flag, key] of [
    ['preset', 'presets'],
    ['order', 'orders'],
    ['variant', 'variants'],
    ['fraction', 'fractions'],
    ['seed', 'seeds'],
  ] as const)
    if (fromCli(flag) && fieldOf(grid, key).length > 0)
      throw invalidArgument(
        'SWEEP.AXIS_AND_FLAG',
        `--${flag} and the grid's ${key} both set it`,
        'give one of the two',
      );
  const { input, seed, seeds } = runInputFromFlags(flags, methodFlags);
  if (seeds > 1) {
    if (grid.seeds.length > 0)
      throw invalidArgument('SWEEP.AXIS_AND_FLAG', `--seeds and the grid's seeds both set them`, 'give one of the two');
    grid.seeds = Array.from({ length: seeds }, (_, k) => seed + k);
  }
  const methods = grid.methods.length > 0 ? pipeline.gridMethods(grid) : [flags.method];
  const base = pipeline.sweepBaseToProto(input(seed), methods);
  return { grid, base, expanded: pipeline.expandSweep(grid, base) };
}

function fieldOf(grid: SweepGrid, key: 'presets' | 'orders' | 'variants' | 'fractions' | 'seeds'): readonly unknown[] {
  return {
    presets: grid.presets,
    orders: grid.taskOrders,
    variants: grid.instructionVariants,
    fractions: grid.dataFractions,
    seeds: grid.seeds,
  }[key];
}
