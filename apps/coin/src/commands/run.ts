import { fileURLToPath } from 'node:url';
import { Option, type Command } from 'commander';
import { LocalProcessScheduler } from '@coin/platform';
import type { CliContext } from '../context.js';
import { runInterruptible } from './interrupts.js';
import { executeEach, openLocalRuns } from './local-runs.js';
import { RunProgress } from './run-progress.js';
import { addRunFlags, type RunFlags, runSpecsFromFlags } from './run-flags.js';
import { formatResults } from './run-table.js';

interface RunCommandFlags extends RunFlags {
  store?: string;
  out: string;
  inProcess?: boolean;
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
  const cmd = program
    .command('run')
    .description('run the CoIN benchmark end to end: train every stage, evaluate, judge, report');
  const methodFlags = addRunFlags(program, cmd);
  cmd
    .option('--store <dir>', 'the store (default: config storeDir / COIN_STORE)')
    .option('--out <dir>', 'where results.json, results.csv and report.html go', 'coin-results')
    .addOption(new Option('--in-process', 'run every unit in this process (no worker processes)').hideHelp());
  cmd.action(async (flags: RunCommandFlags) => {
    const pipeline = await import('@coin/pipeline');
    const specs = await runSpecsFromFlags(flags, methodFlags);
    const runs = await openLocalRuns(ctx, pipeline, specs, flags);
    const { storeDir, out, cacheDir, env, judge } = runs;
    const session = env.session;
    const scheduler = flags.inProcess
      ? undefined
      : new LocalProcessScheduler({ workerModule: workerModule(), concurrency: 1 });
    // Judge jobs run here either way (a worker process per model's judge cells costs more than the
    // rubric itself); training and evaluation go to workers unless --in-process.
    const here = pipeline.inProcessRunner({ ...env, judge });
    const runner = scheduler
      ? pipeline.routedRunner(
          { judge: here },
          pipeline.schedulerRunner(scheduler, { store: { kind: 'fs', root: storeDir }, cacheDir, ...session }),
        )
      : here;
    const progress = new RunProgress(ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean });
    const leaves = {
      message: `every finished unit is in the store ${storeDir}`,
      hint: 'run the same command again: it continues where it stopped',
    };
    try {
      await runInterruptible({ what: 'run', out, leaves }, async (signal) => {
        const all = await executeEach(pipeline, runs, specs, {
          runner,
          progress,
          signal,
          after: (results, dir) => ctx.stdout.write(`${formatResults(results)}\n${dir}/report.html\n`),
        });
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
