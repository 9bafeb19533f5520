import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerPrepSynth } from './prep-synth.js';

/**
 * `coin prep`: writes CoIN instruction files. `coin prep synth` makes the offline world
 * (prep-synth.ts); `coin prep <Dataset> --raw DIR --out DIR` converts a real dataset.
 */
export function registerPrepCommand(program: Command, ctx: CliContext): void {
  const prep = program.command('prep').description('write CoIN instruction files: `prep synth` (offline world) or `prep <Dataset> --raw DIR --out DIR`');
  registerPrepSynth(prep, ctx);
}
