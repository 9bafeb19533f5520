import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CoinError } from '@coin/core';
import type { CliContext } from '../context.js';

const storeOption = [
  '--store <dir>',
  'the store the stack keeps its file, logs and S3 data in (default: config storeDir / COIN_STORE)',
] as const;

function storeOf(ctx: CliContext, flags: { store?: string }): string {
  return resolve(flags.store ?? ctx.getConfig().storeDir);
}

/**
 * `coin stack up|down|status`: the services as local processes with a broker and an S3 server
 * (docs/protocol.md#the-local-stack).
 */
export function registerStackCommand(program: Command, ctx: CliContext): void {
  const stack = program
    .command('stack')
    .description('the five services on this machine, with a Kafka broker and an S3 server: up, down, status');
  stack
    .command('up')
    .description('start the broker, the S3 server and the services in the background; wait until all are SERVING')
    .option(...storeOption)
    .option('--timeout <seconds>', 'how long each process may take to come up', '60')
    .action(async (flags: { store?: string; timeout: string }) => {
      const { integerFlag } = await import('./flags.js');
      const timeout = integerFlag('timeout', flags.timeout, 1, 3600, 60);
      const { stackUp } = await import('../stack/stack-up.js');
      const store = storeOf(ctx, flags);
      const started = performance.now();
      const up = await stackUp({
        store,
        config: ctx.getConfig(),
        env: ctx.env,
        startTimeoutMs: timeout * 1000,
        onStarted: (p) => ctx.stderr.write(`${p.name} (pid ${p.pid}) ${p.address}\n`),
      });
      const orchestrator = up.processes.find((p) => p.name === 'orchestrator');
      ctx.stdout.write(
        `stack up in ${((performance.now() - started) / 1000).toFixed(1)} s: orchestrator at ${orchestrator?.address}\n` +
          `logs in ${store}/stack/logs; stop it with: coin stack down${flags.store ? ` --store ${store}` : ''}\n`,
      );
    });
  stack
    .command('down')
    .description('stop every process of the stack (services first), SIGKILL after a deadline')
    .option(...storeOption)
    .action(async (flags: { store?: string }) => {
      const { stackDown } = await import('../stack/stack-down.js');
      const store = storeOf(ctx, flags);
      const down = await stackDown(store);
      if (!down.stopped) {
        ctx.stdout.write(`no stack running on ${store}\n`);
        return;
      }
      for (const p of down.killed) ctx.stderr.write(`${p.name} (pid ${p.pid}) ignored SIGTERM: killed\n`);
      ctx.stdout.write(`stack down: ${down.stopped.map((p) => p.name).join(', ')} stopped\n`);
    });
  stack
    .command('status')
    .description('each process: pid, alive, address, health, log file (exit 1 when any is down)')
    .option(...storeOption)
    .action(async (flags: { store?: string }) => {
      const { readStackFile } = await import('../stack/stack-file.js');
      const { formatStatus, stackStatus } = await import('../stack/stack-status.js');
      const store = storeOf(ctx, flags);
      const file = await readStackFile(store);
      if (!file)
        throw new CoinError('STACK.NOT_RUNNING', 'UNAVAILABLE', `no stack running on ${store}`, {
          hint: `start one: coin stack up${flags.store ? ` --store ${store}` : ''}`,
        });
      const rows = await stackStatus(file);
      ctx.stdout.write(`${formatStatus(rows)}\n`);
      const down = rows.filter((r) => !r.ok);
      if (down.length > 0)
        throw new CoinError(
          'STACK.DEGRADED',
          'UNAVAILABLE',
          `${down.map((r) => r.name).join(', ')} ${down.length === 1 ? 'is' : 'are'} down or not serving`,
          { hint: `see the log files above; restart the stack: coin stack down && coin stack up` },
        );
    });
}
