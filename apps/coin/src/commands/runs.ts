import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { ORCHESTRATOR_FLAG, STACK_STORE_FLAG } from './submit.js';

interface ClientFlags {
  orchestrator?: string;
  store?: string;
}

const runName = (run: string) => (run.startsWith('runs/') ? run : `runs/${run}`);

async function connect(ctx: CliContext, flags: ClientFlags) {
  const { Orchestrator, orchestratorAddress } = await import('../client/orchestrator-client.js');
  return new Orchestrator(await orchestratorAddress(ctx, flags));
}

/** `coin status [RUN]`, `coin watch RUN`, `coin cancel RUN`: the runs on the orchestrator. */
export function registerRunsCommands(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('the runs on the stack, or one run: its state, stages and cells')
    .argument('[run]', 'a run id (runs/<id> also works)')
    .option(...ORCHESTRATOR_FLAG)
    .option(...STACK_STORE_FLAG)
    .action(async (run: string | undefined, flags: ClientFlags) => {
      const view = await import('../client/run-view.js');
      const orchestrator = await connect(ctx, flags);
      try {
        if (run) {
          const r = await orchestrator.call((c) => c.getRun, { name: runName(run) });
          if (r.run) ctx.stdout.write(`${view.formatRunDetail(r.run)}\n`);
          return;
        }
        const list = await orchestrator.call((c) => c.listRuns, { pageSize: 1000, pageToken: '', state: 0, sweep: '' });
        if (list.runs.length === 0) ctx.stdout.write('no runs\n');
        for (const r of list.runs) ctx.stdout.write(`${view.runLine(r)}\n`);
      } finally {
        orchestrator.close();
      }
    });
  program
    .command('watch')
    .description('follow a run: stage steps, loss, ETA, evaluation and judge cells; exit 1 unless it succeeded')
    .argument('<run>', 'a run id')
    .option(...ORCHESTRATOR_FLAG)
    .option(...STACK_STORE_FLAG)
    .action(async (run: string, flags: ClientFlags) => {
      const { checkFinished, followRun } = await import('../client/follow-run.js');
      const { formatRun } = await import('../client/run-view.js');
      const orchestrator = await connect(ctx, flags);
      try {
        const final = await followRun(
          orchestrator,
          runName(run),
          ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean },
        );
        checkFinished(final);
        ctx.stdout.write(`${formatRun(final)}\n`);
      } finally {
        orchestrator.close();
      }
    });
  program
    .command('cancel')
    .description('cancel a run (units in flight finish; the rest are not started)')
    .argument('<run>', 'a run id')
    .option(...ORCHESTRATOR_FLAG)
    .option(...STACK_STORE_FLAG)
    .action(async (run: string, flags: ClientFlags) => {
      const { runIdOf, stateName } = await import('../client/run-view.js');
      const orchestrator = await connect(ctx, flags);
      try {
        const r = await orchestrator.call((c) => c.cancelRun, { name: runName(run) });
        ctx.stdout.write(`${runIdOf(r.run?.name ?? run)} ${r.run ? stateName(r.run.state) : ''}\n`);
      } finally {
        orchestrator.close();
      }
    });
}
