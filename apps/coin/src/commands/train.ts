import { appendFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { checkOutputDir, CoinError, invalidArgument } from '@coin/core';
import { COIN_TASKS, INSTRUCTION_VARIANTS, type InstructionVariant } from '@coin/data';
import type { PresetName, StepLog } from '@coin/training';
import type { CliContext } from '../context.js';
import { integerFlag } from './flags.js';
import { methodOptions } from './method-options.js';
import { runInterruptible } from './interrupts.js';
import { StageProgress } from './train-progress.js';

interface TrainFlags {
  preset: PresetName;
  data: string;
  tasks: string;
  method: string;
  base?: string;
  fidelity: 'coin' | 'strict';
  variant: InstructionVariant;
  seed: string;
  epochs?: string;
  batchSize?: string;
  accumulation?: string;
  checkpointEvery: string;
  resume?: boolean;
  out: string;
  [methodFlag: string]: unknown;
}

const PRESET_NAMES = ['micro', 'tiny', 'small'] as const;

function parseTasks(text: string): string[] {
  const tasks = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tasks.length === 0)
    throw invalidArgument(
      'TRAIN.BAD_FLAG',
      '--tasks names no task',
      `e.g. --tasks ${COIN_TASKS.slice(0, 2).join(',')}`,
    );
  for (const t of tasks)
    if (!(COIN_TASKS as readonly string[]).includes(t))
      throw invalidArgument(
        'TRAIN.BAD_FLAG',
        `unknown task ${JSON.stringify(t)}`,
        `tasks are ${COIN_TASKS.join(', ')}`,
      );
  if (new Set(tasks).size !== tasks.length) throw invalidArgument('TRAIN.BAD_FLAG', '--tasks names a task twice');
  return tasks;
}

/**
 * `coin train`: CoIN's stages in order with one continual-learning method, one checkpoint folder
 * per stage under --out, `train-log.jsonl` (stage, step, loss, lr, grad_norm, tok_s) and a
 * progress bar per stage on stderr. Every flag, the data and the base are checked before anything
 * is written.
 */
export function registerTrainCommand(program: Command, ctx: CliContext): void {
  const methodOption = new Option('--method <name>', 'continual-learning method').makeOptionMandatory();
  const methodFlags = new Map<string, Option>();
  const cmd = program
    .command('train')
    .description('train the CoIN stages in order with a continual-learning method')
    .addOption(new Option('--preset <name>', 'model preset').choices(PRESET_NAMES).makeOptionMandatory())
    .requiredOption('--data <dir>', 'CoIN data folder (e.g. from `coin prep synth`)')
    .requiredOption('--tasks <list>', `comma-separated tasks in stage order (${COIN_TASKS.join(',')})`)
    .addOption(methodOption)
    .option('--base <dir>', 'base model folder (default: the preset’s base in the store, from `coin pretrain`)')
    .addOption(
      new Option('--fidelity <mode>', 'coin: CoIN’s effective behaviour; strict: its BUG? items fixed')
        .choices(['coin', 'strict'])
        .default('coin'),
    )
    .addOption(
      new Option('--variant <v>', 'instruction variant of the training files')
        .choices(INSTRUCTION_VARIANTS)
        .default('original'),
    )
    .option('--seed <s>', 'seed of data order, adapter init and dropout', '0')
    .option('--epochs <n>', 'epochs per stage (default 1, as CoIN)')
    .option('--batch-size <n>', 'samples per micro-batch (default per preset)')
    .option('--accumulation <n>', 'micro-batches per optimizer step (default 1)')
    .option('--checkpoint-every <n>', 'resumable snapshot every N optimizer steps inside a stage (0 = off)', '50')
    .option('--resume', 'continue the run in --out: finished stages load, an interrupted one continues')
    .requiredOption('--out <dir>', 'run folder: one checkpoint folder per stage and train-log.jsonl');
  // The methods (and with them ONNX Runtime) load only when `train` runs or shows its help: `coin
  // --help` must not load them. Their names and flags come from the registry, so a new method needs
  // no change here.
  program.hook('preSubcommand', async (_root, sub) => {
    if (sub !== cmd || methodFlags.size > 0) return;
    const { METHODS } = await import('@coin/training');
    methodOption.choices(METHODS.names);
    for (const [flag, option] of methodOptions(METHODS)) {
      methodFlags.set(flag, option);
      cmd.addOption(option);
    }
  });
  cmd.action(async (flags: TrainFlags) => {
    const { findStoredBase, loadBase, METHODS, runContinual, trainingDefaults } = await import('@coin/training');
    const method = METHODS.get(flags.method);
    const tasks = parseTasks(flags.tasks);
    const raw: Record<string, string> = {};
    for (const [name, option] of methodFlags) {
      const value = flags[option.attributeName()];
      if (typeof value === 'string') raw[name] = value;
    }
    const hyper = METHODS.resolve(method.name, flags.preset, raw);
    const defaults = { ...trainingDefaults(flags.preset), ...method.training?.(hyper, flags.preset) };
    const training = {
      ...defaults,
      epochs: flags.epochs === undefined ? defaults.epochs : integerFlag('epochs', flags.epochs, 1, 1000, 1),
      batchSize:
        flags.batchSize === undefined ? defaults.batchSize : integerFlag('batch-size', flags.batchSize, 1, 4096, 8),
      accumulation:
        flags.accumulation === undefined
          ? defaults.accumulation
          : integerFlag('accumulation', flags.accumulation, 1, 4096, 1),
    };
    const seed = integerFlag('seed', flags.seed, 0, 0xffffffff, 0);
    const checkpointEvery = integerFlag('checkpoint-every', flags.checkpointEvery, 0, 1_000_000, 50);
    const out = resolve(flags.out);
    const target = await checkOutputDir(out, { flag: '--out' });
    if (!flags.resume && target.exists && (await readdir(out)).length > 0)
      throw new CoinError('TRAIN.OUT_EXISTS', 'ALREADY_EXISTS', `run folder ${out} exists and is not empty`, {
        hint: 'choose another --out, or pass --resume to continue the run in it',
      });
    const config = ctx.getConfig();
    const baseDir = flags.base ?? (await findStoredBase(config.storeDir, flags.preset));
    const base = await loadBase(baseDir, flags.preset);
    const progress = new StageProgress(ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean });
    const log = join(out, 'train-log.jsonl');
    const leaves = {
      message: `finished stages and the latest snapshot of the running one are in ${out}`,
      hint: 'run the same command with --resume to continue where it stopped',
    };
    await runInterruptible({ what: 'train', out, leaves }, async (signal) => {
      const records = await runContinual({
        method,
        hyper,
        training,
        preset: flags.preset,
        fidelity: flags.fidelity,
        seed,
        tasks,
        dataDir: flags.data,
        variant: flags.variant,
        base,
        out,
        session: ctx.sessionOptions(),
        checkpointEvery,
        resume: flags.resume,
        onStageStart: (stage, index, steps) => progress.start(`${index}/${tasks.length} ${stage.name}`, steps),
        onStep: (row: StepLog) => {
          signal.throwIfAborted();
          progress.update(row);
          // One row per step, appended at once: a killed run keeps every row up to its last step.
          const { steps: _steps, ...fields } = row;
          appendFileSync(log, `${JSON.stringify(fields)}\n`);
        },
        onStageEnd: (_stage, _index, dir) => progress.end(dir),
      });
      for (const r of records)
        ctx.stdout.write(
          `${r.dir}: ${r.loaded ? 'loaded' : `${r.steps} steps`}${r.losses.length ? `, loss ${r.losses[0].toFixed(3)} → ${r.losses.at(-1)!.toFixed(3)}` : ''}${r.truncated ? `, ${r.truncated} samples truncated` : ''}\n`,
        );
    });
  });
}
