import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { checkOutputDir, invalidArgument } from '@coin/core';
import { INSTRUCTION_VARIANTS } from '@coin/data';
import type { RunResults, RunSpecInput } from '@coin/pipeline';
import { FilesystemObjectStore, LocalProcessScheduler } from '@coin/platform';
import type { CliContext } from '../context.js';
import { integerFlag } from './flags.js';
import { runInterruptible } from './interrupts.js';
import { methodOptions } from './method-options.js';
import { RunProgress } from './run-progress.js';
import { formatResults } from './run-table.js';

interface RunFlags {
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
  store?: string;
  out: string;
  inProcess?: boolean;
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

/** The worker entry beside this file: compiled (dist/) or TypeScript (tests run the sources). */
function workerModule(): string {
  const ts = import.meta.url.endsWith('.ts');
  return fileURLToPath(new URL(ts ? '../worker.ts' : '../worker.js', import.meta.url));
}

/**
 * `coin run`: the CoIN benchmark end to end (docs/protocol.md#coin-run) — the world, the base, every
 * stage, every evaluation and judge cell, the metrics and the report — computing only what the
 * store does not hold yet.
 */
export function registerRunCommand(program: Command, ctx: CliContext): void {
  const methodFlags = new Map<string, Option>();
  const cmd = program
    .command('run')
    .description('run the CoIN benchmark end to end: train every stage, evaluate, judge, report')
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
    .option('--store <dir>', 'the store (default: config storeDir / COIN_STORE)')
    .option('--out <dir>', 'where results.json, results.csv and report.html go', 'coin-results')
    .addOption(new Option('--in-process', 'run every unit in this process (no worker processes)').hideHelp())
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
  cmd.action(async (flags: RunFlags) => {
    const pipeline = await import('@coin/pipeline');
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
    // Every seed's spec is checked before anything runs.
    const specs = Array.from({ length: seeds }, (_, k) =>
      pipeline.resolveRunSpec(input(seed + k), pipeline.METHOD_CATALOGUE),
    );
    const storeDir = resolve(flags.store ?? ctx.getConfig().storeDir);
    const out = resolve(flags.out);
    // Both are folders this run writes into: a file in the way, or no way to create them, is a
    // usage error now, not a store error later.
    await checkOutputDir(storeDir, { flag: flags.store ? '--store' : 'the store (config storeDir)' });
    await checkOutputDir(out, { flag: '--out' });
    const store = new FilesystemObjectStore(storeDir);
    const session = ctx.sessionOptions();
    const cacheDir = join(storeDir, 'work');
    const env = { store, cacheDir, session };
    const scheduler = flags.inProcess
      ? undefined
      : new LocalProcessScheduler({ workerModule: workerModule(), concurrency: 1 });
    const judge = pipeline.makeJudgeBackend(specs[0].judge, {
      env: ctx.env,
      cacheDir: join(cacheDir, pipeline.JUDGE_CACHE_FOLDER),
      fidelity: specs[0].fidelity,
    });
    // Judge jobs run here either way (a worker process per model's judge cells costs more than the
    // rubric itself); training and evaluation go to workers unless --in-process.
    const here = pipeline.inProcessRunner({ ...env, judge });
    const runner = scheduler
      ? pipeline.routedRunner(
          { judge: here },
          pipeline.schedulerRunner(scheduler, { storeRoot: storeDir, cacheDir, ...session }),
        )
      : here;
    const progress = new RunProgress(ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean });
    const leaves = {
      message: `every finished unit is in the store ${storeDir}`,
      hint: 'run the same command again: it continues where it stopped',
    };
    const all: RunResults[] = [];
    try {
      await runInterruptible({ what: 'run', out, leaves }, async (signal) => {
        for (const spec of specs) {
          const results = await pipeline.executeRun(spec, {
            store,
            runner,
            env,
            judge,
            signal,
            onEvent: (e) => progress.on(e),
          });
          progress.end();
          const dir = join(out, results.run_id);
          await pipeline.writeRunOutputs(dir, [results]);
          all.push(results);
          ctx.stdout.write(`${formatResults(results)}\n${dir}/report.html\n`);
        }
        if (all.length > 1) {
          await pipeline.writeRunOutputs(out, all);
          ctx.stdout.write(`${all.length} seeds: ${out}/report.html\n`);
        }
      });
    } finally {
      progress.end();
      await scheduler?.close();
      await judge.close?.();
    }
  });
}
