/**
 * The run flags `coin run`, `coin submit` and `coin sweep` share, and the run specs they resolve to: one
 * definition, so a flag means the same whether the run is embedded or submitted to the stack.
 */
import { Option, type Command } from 'commander';
import { invalidArgument } from '@coin/core';
import { INSTRUCTION_VARIANTS } from '@coin/data';
import type { RunSpec, RunSpecInput } from '@coin/pipeline';
import { integerFlag } from './flags.js';
import { methodOptions } from './method-options.js';

export interface RunFlags {
  preset: string;
  method: string;
  order: string;
  variant: string;
  fraction: string;
  seed: string;
  seeds: string;
  fidelity: string;
  fullMatrix?: boolean;
  judge: string;
  judgeUrl?: string;
  judgeModel?: string;
  judgeKeyEnv: string;
  judgeSampling: string;
  judgeConcurrency: string;
  pretrainSteps?: string;
  worldTrain?: string;
  worldTest?: string;
  worldPretrain?: string;
  evalBatch: string;
  epochs?: string;
  lr?: string;
  batchSize?: string;
  [methodFlag: string]: unknown;
}

function fractionFlag(text: string): number {
  const f = Number(text);
  if (!/^\d*\.?\d+$/.test(text) || !(f > 0 && f <= 1))
    throw invalidArgument(
      'RUN.BAD_FLAG',
      `--fraction must be a number in (0, 1], got ${JSON.stringify(text)}`,
      'e.g. --fraction 0.5',
    );
  return f;
}

function rateFlag(text: string): number {
  const r = Number(text);
  if (text.trim() === '' || !(r > 0 && r < 1))
    throw invalidArgument(
      'RUN.BAD_FLAG',
      `--lr must be a number in (0, 1), got ${JSON.stringify(text)}`,
      'e.g. --lr 2e-4',
    );
  return r;
}

/**
 * Adds the run flags to `cmd` (the method flags once `cmd` is the subcommand being run: they load
 * @coin/training). Returns the method flags, filled in by then.
 */
export function addRunFlags(program: Command, cmd: Command): Map<string, Option> {
  const methodFlags = new Map<string, Option>();
  cmd
    .addOption(new Option('--preset <name>', 'model preset').choices(['micro', 'tiny', 'small']).default('tiny'))
    .option('--method <name>', 'continual-learning method', 'lora')
    .option('--order <order>', 'task order: default, alphabetical, or T1,T2,…', 'default')
    .addOption(new Option('--variant <v>', 'instruction variant').choices(INSTRUCTION_VARIANTS).default('original'))
    .option('--fraction <f>', "fraction of each task's training data, in (0, 1]", '1')
    .option('--seed <s>', 'seed of data order, adapter init, dropout and answer ids', '0')
    .option('--seeds <n>', 'run N seeds (seed, seed+1, …) and report intervals', '1')
    .addOption(
      new Option('--fidelity <mode>', 'coin: CoIN as released; strict: its BUG? items fixed')
        .choices(['coin', 'strict'])
        .default('coin'),
    )
    .option('--full-matrix', 'also evaluate tasks before they are trained (and the base): forward transfer')
    .addOption(
      new Option('--judge <backend>', 'who scores General Knowledge').choices(['rubric', 'openai']).default('rubric'),
    )
    .option('--judge-url <url>', 'openai: the server, e.g. http://localhost:8000/v1')
    .option('--judge-model <name>', 'openai: the model it serves')
    .option('--judge-key-env <var>', 'openai: environment variable holding the API key', 'OPENAI_API_KEY')
    .addOption(
      new Option('--judge-sampling <s>', 'openai: greedy (temperature 0) or CoIN’s sampling')
        .choices(['greedy', 'coin'])
        .default('greedy'),
    )
    .option('--judge-concurrency <n>', 'openai: requests in flight at most', '4')
    .addOption(new Option('--pretrain-steps <n>', 'pretraining steps of the base').hideHelp())
    .addOption(new Option('--world-train <n>', 'training items per task').hideHelp())
    .addOption(new Option('--world-test <n>', 'test items per task').hideHelp())
    .addOption(new Option('--world-pretrain <n>', 'pretraining images per task').hideHelp())
    .option('--eval-batch <n>', 'answers generated per batch', '16')
    .option('--epochs <n>', 'passes over each task per stage (default: the preset’s)')
    .option('--lr <rate>', 'peak learning rate (default: the method’s for the preset)')
    .option('--batch-size <n>', 'samples per micro-batch (default: the preset’s)');
  program.hook('preSubcommand', async (_root, sub) => {
    if (sub !== cmd || methodFlags.size > 0) return;
    const { METHODS } = await import('@coin/training');
    for (const [flag, option] of methodOptions(METHODS)) {
      methodFlags.set(flag, option);
      cmd.addOption(option);
    }
  });
  return methodFlags;
}

/** The resolved spec of every seed the flags ask for; RUN.BAD_FLAG / PREP.BAD_FLAG (exit 2) for a bad flag. */
export async function runSpecsFromFlags(flags: RunFlags, methodFlags: ReadonlyMap<string, Option>): Promise<RunSpec[]> {
  const pipeline = await import('@coin/pipeline');
  const { input, seed, seeds } = runInputFromFlags(flags, methodFlags);
  // Every seed's spec is checked before anything runs.
  return Array.from({ length: seeds }, (_, k) => pipeline.resolveRunSpec(input(seed + k), pipeline.METHOD_CATALOGUE));
}

/**
 * The flags as `resolveRunSpec`'s input (before defaults), for a seed; with --seed and --seeds. The
 * method flags are all kept, whichever method they belong to (a sweep's base serves several).
 */
export function runInputFromFlags(
  flags: RunFlags,
  methodFlags: ReadonlyMap<string, Option>,
): { input: (seed: number) => RunSpecInput; seed: number; seeds: number } {
  const raw: Record<string, string> = {};
  for (const [name, option] of methodFlags) {
    const value = flags[option.attributeName()];
    if (typeof value === 'string') raw[name] = value;
  }
  const optionalInt = (name: string, v: string | undefined) =>
    v === undefined ? undefined : integerFlag(name, v, 1, 1_000_000, 10);
  const world = Object.fromEntries(
    Object.entries({
      train: optionalInt('world-train', flags.worldTrain),
      test: optionalInt('world-test', flags.worldTest),
      pretrain: optionalInt('world-pretrain', flags.worldPretrain),
    }).filter(([, v]) => v !== undefined),
  );
  const seed = integerFlag('seed', flags.seed, 0, 0xffffffff, 0);
  const seeds = integerFlag('seeds', flags.seeds, 1, 100, 3);
  const input = (s: number): RunSpecInput => ({
    preset: flags.preset,
    method: flags.method,
    methodFlags: raw,
    order: flags.order,
    variant: flags.variant,
    fraction: fractionFlag(flags.fraction),
    seed: s,
    fidelity: flags.fidelity,
    fullMatrix: Boolean(flags.fullMatrix),
    judge: {
      backend: flags.judge,
      url: flags.judgeUrl,
      model: flags.judgeModel,
      apiKeyEnv: flags.judgeKeyEnv,
      sampling: flags.judgeSampling,
      concurrency: integerFlag('judge-concurrency', flags.judgeConcurrency, 1, 256, 4),
    },
    world,
    pretrainSteps: optionalInt('pretrain-steps', flags.pretrainSteps),
    evalBatch: integerFlag('eval-batch', flags.evalBatch, 1, 256, 16),
    training: {
      ...(flags.epochs !== undefined ? { epochs: integerFlag('epochs', flags.epochs, 1, 1000, 1) } : {}),
      ...(flags.lr !== undefined ? { lr: rateFlag(flags.lr) } : {}),
      ...(flags.batchSize !== undefined ? { batchSize: integerFlag('batch-size', flags.batchSize, 1, 4096, 8) } : {}),
    },
  });
  return { input, seed, seeds };
}
