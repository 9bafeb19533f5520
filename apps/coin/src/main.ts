import { Command, CommanderError } from 'commander';
import { EXIT_OK } from '@coin/core';
import { registerCommands } from './commands/index.js';
import { CliContext } from './context.js';
import { fromCommanderError } from './errors/commander-errors.js';
import { reportError } from './errors/report.js';

/** Builds the `coin` program. Exported for tests, which drive it without a child process. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('coin')
    .description('CoIN-TS: the CoIN continual instruction tuning benchmark for multimodal LLMs')
    .version(ctx.version, '-V, --version', 'print the version')
    .option('--config <file>', 'JSON config file (else COIN_CONFIG; see `coin config --help`)')
    .option('-v, --verbose', 'debug logging, and stack traces of internal errors');
  registerCommands(program, ctx);
  routeErrors(program, ctx);
  return program;
}

/**
 * Every command, however deep, hands its parse errors to the one formatter in errors/report.ts
 * instead of printing commander's own "error: …" line; help and usage go to our streams.
 */
function routeErrors(cmd: Command, ctx: CliContext): void {
  let helpForError = false;
  cmd
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: () => {}, // printed by reportError from the thrown CoinError
    })
    .on('afterHelp', (context: { error: boolean }) => {
      helpForError = context.error;
    })
    .exitOverride((err) => {
      throw fromCommanderError(err, cmd, helpForError);
    });
  for (const sub of cmd.commands) routeErrors(sub, ctx);
}

/** Runs the CLI and returns the process exit code: 0 ok, 1 failure, 2 bad usage. Never throws. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  ctx = CliContext.fromProcess(env),
): Promise<number> {
  try {
    const program = buildProgram(ctx);
    // No command at all is the same usage error as `coin judge` without one: help on stderr, exit 2.
    if (argv.length === 0) program.help({ error: true });
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    // --help and --version end through here too, with exit code 0.
    if (e instanceof CommanderError && e.exitCode === 0) return EXIT_OK;
    return reportError(e, ctx.stderr, ctx.verbose);
  }
}
