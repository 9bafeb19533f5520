import type { Command } from 'commander';
import { CoinError } from '@coin/core';
import type { CliContext } from '../context.js';
import { addRunFlags, type RunFlags } from './run-flags.js';
import { ORCHESTRATOR_FLAG, STACK_STORE_FLAG } from './submit.js';

interface SweepFlags extends RunFlags {
  grid?: string;
  wait?: boolean;
  local?: boolean;
  out: string;
  orchestrator?: string;
  store?: string;
}

interface ClientFlags {
  orchestrator?: string;
  store?: string;
}

const sweepName = (id: string) => (id.startsWith('sweeps/') ? id : `sweeps/${id}`);

async function connect(ctx: CliContext, flags: ClientFlags) {
  const { Orchestrator, orchestratorAddress } = await import('../client/orchestrator-client.js');
  return new Orchestrator(await orchestratorAddress(ctx, flags));
}

/** GetSweep and the sweep's runs (ListRuns filtered by the sweep). */
async function sweepAndRuns(orchestrator: Awaited<ReturnType<typeof connect>>, name: string) {
  const { sweep } = await orchestrator.call((c) => c.getSweep, { name });
  const { runs } = await orchestrator.call((c) => c.listRuns, { pageSize: 1000, pageToken: '', state: 0, sweep: name });
  return { sweep: sweep!, runs };
}

/**
 * `coin sweep --grid FILE [run flags]`: a grid of runs (docs/protocol.md#sweeps) created on the
 * orchestrator (BenchmarkService.CreateSweep), or run here with `--local`; `coin sweep status`,
 * `coin sweep cancel` and `coin sweep report` follow it.
 */
export function registerSweepCommand(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('sweep')
    .description('run a grid of runs (orders × methods × seeds × variants × fractions × presets) from a YAML file');
  // Options after a subcommand (`coin sweep status --store X`) are parsed by `sweep` when it has the
  // same option (the root program does not use positional options): the subcommands read them here.
  const given = <T extends object>(flags: T, keys: readonly string[]): T => ({
    ...Object.fromEntries(
      keys.filter((k) => cmd.getOptionValueSource(k) === 'cli').map((k) => [k, cmd.getOptionValue(k)]),
    ),
    ...flags,
  });
  const methodFlags = addRunFlags(program, cmd);
  cmd
    .option('--grid <file>', 'the YAML grid file: the axes; the run flags give everything else')
    .option('--wait', 'follow the sweep until it ends and print its table (exit 1 unless every run succeeded)')
    .option('--local', 'run the grid in this process, one run at a time, on the local store (no stack)')
    .option('--out <dir>', '--local: where each run’s results and the sweep’s report go', 'coin-results')
    .option(...ORCHESTRATOR_FLAG)
    .option(
      '--store <dir>',
      'the store: --local runs on it; otherwise the store whose stack to call (default: config storeDir / COIN_STORE)',
    );
  cmd.action(async (flags: SweepFlags) => {
    const { sweepPlanFromFlags } = await import('./sweep-plan.js');
    // A bad grid or flag is refused here, before any call.
    const plan = await sweepPlanFromFlags(cmd, flags, methodFlags);
    if (flags.local) {
      const { runSweepLocally } = await import('./sweep-local.js');
      await runSweepLocally(ctx, plan, flags);
      return;
    }
    const view = await import('../client/sweep-view.js');
    const orchestrator = await connect(ctx, flags);
    try {
      const { sweep } = await orchestrator.call((c) => c.createSweep, {
        requestId: '',
        sweepId: '',
        grid: plan.grid,
        base: plan.base,
        validateOnly: false,
      });
      ctx.stdout.write(`${view.sweepLine(sweep!)}\n`);
      if (!flags.wait) return;
      const name = sweep!.name;
      let last = '';
      for (;;) {
        const { sweep: now } = await orchestrator.call((c) => c.getSweep, { name });
        const line = now?.progress?.message ?? '';
        if (line !== last) ctx.stderr.write(`${line}\n`);
        last = line;
        if (now && [3, 4, 6].includes(now.state)) break; // SUCCEEDED, FAILED, CANCELLED
        await new Promise((r) => setTimeout(r, 1000));
      }
      const { sweep: final, runs } = await sweepAndRuns(orchestrator, name);
      ctx.stdout.write(`${view.sweepTable(final, runs)}\n`);
      if (final.state !== 3)
        throw new CoinError(
          'SWEEP.NOT_SUCCEEDED',
          'FAILED_PRECONDITION',
          `sweep ${view.sweepIdOf(name)} did not succeed`,
          {
            hint: `see coin sweep status ${view.sweepIdOf(name)}; coin sweep with the same grid retries the runs that did not succeed`,
          },
        );
    } finally {
      orchestrator.close();
    }
  });

  cmd
    .command('status')
    .description('the sweeps on the stack, or one sweep: its runs with state, progress and final metrics')
    .argument('[sweep]', 'a sweep id (sweeps/<id> also works)')
    .option(...ORCHESTRATOR_FLAG)
    .option(...STACK_STORE_FLAG)
    .action(async (sweep: string | undefined, own: ClientFlags) => {
      const flags = given(own, ['orchestrator', 'store']);
      const view = await import('../client/sweep-view.js');
      const orchestrator = await connect(ctx, flags);
      try {
        if (sweep) {
          const { sweep: s, runs } = await sweepAndRuns(orchestrator, sweepName(sweep));
          ctx.stdout.write(`${view.sweepTable(s, runs)}\n`);
          return;
        }
        const { sweeps } = await orchestrator.call((c) => c.listSweeps, { pageSize: 1000, pageToken: '', state: 0 });
        if (sweeps.length === 0) ctx.stdout.write('no sweeps\n');
        for (const s of sweeps) ctx.stdout.write(`${view.sweepLine(s)}\n`);
      } finally {
        orchestrator.close();
      }
    });

  cmd
    .command('cancel')
    .description('cancel a sweep: its waiting runs never start, its runs in flight are cancelled')
    .argument('<sweep>', 'a sweep id')
    .option(...ORCHESTRATOR_FLAG)
    .option(...STACK_STORE_FLAG)
    .action(async (sweep: string, own: ClientFlags) => {
      const flags = given(own, ['orchestrator', 'store']);
      const view = await import('../client/sweep-view.js');
      const orchestrator = await connect(ctx, flags);
      try {
        const r = await orchestrator.call((c) => c.cancelSweep, { name: sweepName(sweep) });
        ctx.stdout.write(`${view.sweepLine(r.sweep!)}\n`);
      } finally {
        orchestrator.close();
      }
    });

  cmd
    .command('report')
    .description("the sweep's comparison report from its runs' results in the store: intervals over seeds (and orders)")
    .argument('<sweep>', 'a sweep id')
    .option(
      '--out <dir>',
      'where report.html, results.csv, metrics.csv and comparison.csv go (default: coin-results/<sweep>)',
    )
    .option('--store <dir>', 'the store folder (default: config storeDir / COIN_STORE; its stack’s S3 when one runs)')
    .action(async (sweep: string, own: { out?: string; store?: string }) => {
      const { writeSweepReport } = await import('./sweep-report.js');
      await writeSweepReport(ctx, sweep.replace(/^sweeps\//, ''), given(own, ['out', 'store']));
    });
}
