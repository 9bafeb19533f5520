import type { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { missingOptionError } from '../errors/commander-errors.js';
import { registerConfigCommand } from './config.js';
import { registerPrepCommand } from './prep.js';
import { registerScoreCommand } from './score.js';
import { registerJudgeCommand } from './judge.js';
import { registerMetricsCommand } from './metrics.js';
import { registerPretrainCommand } from './pretrain.js';
import { registerReportCommand } from './report.js';
import { registerTrainCommand } from './train.js';
import { registerRunCommand } from './run.js';
import { registerStackCommand } from './stack.js';
import { registerSubmitCommand } from './submit.js';
import { registerRunsCommands } from './runs.js';
import { registerSweepCommand } from './sweep.js';

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
  registerReportCommand,
  registerPretrainCommand,
  registerTrainCommand,
  registerRunCommand,
  registerStackCommand,
  registerSubmitCommand,
  registerRunsCommands,
  registerSweepCommand,
];

export function registerCommands(program: Command, ctx: CliContext): void {
  for (const register of COMMANDS) register(program, ctx);
  const required = deferRequiredOptions(program);
  program.hook('preAction', (_root, action) => {
    const globals = program.opts<{ config?: string; verbose?: boolean }>();
    ctx.configPath = globals.config;
    ctx.verbose = Boolean(globals.verbose);
    for (const option of required.get(action) ?? []) {
      if (action.getOptionValue(option.attributeName()) === undefined) throw missingOptionError(action, option);
    }
    // Every command, not only `coin config`, refuses a bad --config file or an unknown COIN_* variable.
    ctx.getConfig();
  });
}

/**
 * Commander checks required options before unknown options and arguments, so `--reslt-file x`
 * was reported as a missing `--result-file`. The check moves to preAction, which runs after
 * commander has refused unknown options and missing arguments.
 */
function deferRequiredOptions(cmd: Command, found = new Map<Command, Option[]>()): Map<Command, Option[]> {
  const mandatory = cmd.options.filter((o) => o.mandatory);
  for (const option of mandatory) option.makeOptionMandatory(false);
  if (mandatory.length > 0) found.set(cmd, mandatory);
  for (const sub of cmd.commands) deferRequiredOptions(sub, found);
  return found;
}
