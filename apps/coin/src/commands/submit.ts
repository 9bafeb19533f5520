import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addRunFlags, type RunFlags, runSpecsFromFlags } from './run-flags.js';

interface SubmitFlags extends RunFlags {
  wait?: boolean;
  orchestrator?: string;
  store?: string;
}

export const ORCHESTRATOR_FLAG = [
  '--orchestrator <host:port>',
  'the orchestrator (default: COIN_ORCHESTRATOR, else the stack `coin stack up` started on the store)',
] as const;
export const STACK_STORE_FLAG = [
  '--store <dir>',
  'the store whose stack to call (default: config storeDir / COIN_STORE)',
] as const;

/**
 * `coin submit`: the run `coin run` would do with the same flags, submitted to the orchestrator
 * (BenchmarkService.CreateRun); `--wait` follows it and prints `coin run`'s table.
 */
export function registerSubmitCommand(program: Command, ctx: CliContext): void {
  const cmd = program.command('submit').description('submit a run to the stack (the same flags as coin run)');
  const methodFlags = addRunFlags(program, cmd);
  cmd
    .option('--wait', 'follow the run until it ends and print its matrices and metrics (exit 1 unless it succeeded)')
    .option(...ORCHESTRATOR_FLAG)
    .option(...STACK_STORE_FLAG);
  cmd.action(async (flags: SubmitFlags) => {
    // Bad flags are refused here, before any call.
    const specs = await runSpecsFromFlags(flags, methodFlags);
    const { runSpecToProto } = await import('@coin/pipeline');
    const { Orchestrator, orchestratorAddress } = await import('../client/orchestrator-client.js');
    const { checkFinished, followRun } = await import('../client/follow-run.js');
    const { formatRun, runIdOf, stateName } = await import('../client/run-view.js');
    const orchestrator = new Orchestrator(await orchestratorAddress(ctx, flags));
    try {
      const names: string[] = [];
      for (const spec of specs) {
        const { run } = await orchestrator.call((c) => c.createRun, {
          spec: runSpecToProto(spec),
          runId: '',
          validateOnly: false,
          requestId: '',
        });
        const name = run?.name ?? '';
        names.push(name);
        ctx.stdout.write(`${runIdOf(name)} ${run ? stateName(run.state) : ''}\n`);
      }
      if (!flags.wait) return;
      for (const name of names) {
        const run = await followRun(orchestrator, name, ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean });
        checkFinished(run);
        ctx.stdout.write(`${formatRun(run)}\n`);
      }
    } finally {
      orchestrator.close();
    }
  });
}
