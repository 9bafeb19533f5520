import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerConfigCommand } from './config.js';
import { registerPrepCommand } from './prep.js';
import { registerScoreCommand } from './score.js';
import { registerJudgeCommand } from './judge.js';
import { registerMetricsCommand } from './metrics.js';

/**
 * Every `coin` subcommand, registered in one list. A subcommand exists only once the capability
 * behind it is implemented.
 */
const COMMANDS: ReadonlyArray<(program: Command, ctx: CliContext) => void> = [
  registerConfigCommand,
  registerPrepCommand,
  registerScoreCommand,
  registerJudgeCommand,
  registerMetricsCommand,
];

export function registerCommands(program: Command, ctx: CliContext): void {
  program.hook('preAction', (_root, action) => {
    const globals = program.opts<{ config?: string; verbose?: boolean }>();
    ctx.configPath = globals.config;
    ctx.verbose = Boolean(globals.verbose);
    void action;
  });
  for (const register of COMMANDS) register(program, ctx);
}
