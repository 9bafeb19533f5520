/**
 * `coin sweep --grid FILE --local`: the sweep's runs in this process, one at a time, with
 * `executeRun` and the in-process runner on the local store — no stack. Units the runs share (the
 * world, the base, stage prefixes) are in the store after the first run and computed once. Each run
 * lands in `<out>/<run id>/` as `coin run` writes it, the sweep's comparison in `<out>/<sweep id>/`;
 * the sweep's record goes to the store (`sweeps/<id>/sweep.json`) for `coin sweep report`.
 */
import { join } from 'node:path';
import type { RunResults } from '@coin/pipeline';
import type { CliContext } from '../context.js';
import { runInterruptible } from './interrupts.js';
import { executeEach, openLocalRuns } from './local-runs.js';
import { RunProgress } from './run-progress.js';
import { formatResults } from './run-table.js';
import type { SweepPlan } from './sweep-plan.js';

export async function runSweepLocally(
  ctx: CliContext,
  plan: SweepPlan,
  flags: { store?: string; out: string },
): Promise<void> {
  const pipeline = await import('@coin/pipeline');
  const { specs, id } = plan.expanded;
  const runs = await openLocalRuns(ctx, pipeline, specs, flags);
  const { storeDir, out, store, env, judge } = runs;
  const runner = pipeline.inProcessRunner({ ...env, judge });
  const progress = new RunProgress(ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean });
  const leaves = {
    message: `every finished unit is in the store ${storeDir}`,
    hint: 'run the same command again: the runs done are not repeated',
  };
  // The sweep's record, as the orchestrator keeps it, so that `coin sweep report` finds its runs.
  const stored = await pipeline.readSweepState(store, id);
  const record = stored ?? pipeline.newSweepRecord(plan.expanded, plan.grid, plan.base);
  await pipeline.writeSweepState(store, {
    ...record,
    attempt: { ...record.attempt, submitted: specs.length },
    updatedAt: new Date().toISOString(),
  });
  try {
    await runInterruptible({ what: 'sweep', out, leaves }, async (signal) => {
      const all = await executeEach(pipeline, runs, specs, {
        runner,
        progress,
        signal,
        before: (k, spec) => ctx.stderr.write(`sweep ${id}: run ${k + 1}/${specs.length} ${pipeline.runId(spec)}\n`),
        after: (results) => ctx.stdout.write(`${formatResults(results)}\n`),
      });
      const dir = join(out, id);
      await pipeline.writeRunOutputs(dir, all);
      ctx.stdout.write(sweepTables(pipeline, all));
      ctx.stdout.write(`${all.length} runs: ${dir}/report.html\n`);
    });
  } finally {
    progress.end();
    await judge.close?.();
  }
}

/** The methods table over seeds, and over seeds and orders when the runs have several orders. */
export function sweepTables(pipeline: typeof import('@coin/pipeline'), runs: readonly RunResults[]): string {
  const text = pipeline.methodsTableText(pipeline.groupRuns(runs));
  const orders = new Set(runs.map((r) => r.tasks.join(',')));
  if (orders.size < 2) return text;
  return `${text}\nover seeds and task orders:\n${pipeline.methodsTableText(pipeline.groupRuns(runs, { poolOrders: true }))}`;
}
