import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor, isCoinError } from '@coin/core';
import { registerCommands } from './commands/index.js';
import { CliContext } from './context.js';

/** Builds the `coin` program. Exported for tests, which drive it without a child process. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('coin')
    .description('CoIN-TS: the CoIN continual instruction tuning benchmark for multimodal LLMs')
    .version(ctx.version, '-V, --version', 'print the version')
    .option('--config <file>', 'JSON config file (else COIN_CONFIG; see `coin config --help`)')
    .option('-v, --verbose', 'debug logging')
    .showHelpAfterError('(run the command with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .exitOverride();
  registerCommands(program, ctx);
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** Runs the CLI and returns the process exit code: 0 ok, 1 failure, 2 bad usage. Never throws. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  ctx = CliContext.fromProcess(env),
): Promise<number> {
  const program = buildProgram(ctx);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (isCoinError(e)) {
      ctx.stderr.write(`coin: error: ${e.describe()}\n`);
      return exitCodeFor(e);
    }
    const message = e instanceof Error ? e.message : String(e);
    ctx.stderr.write(
      `coin: internal error: ${message}\n  this is a bug in CoIN-TS; rerun with --verbose and report the output\n`,
    );
    if (ctx.verbose && e instanceof Error && e.stack) ctx.stderr.write(`${e.stack}\n`);
    return EXIT_FAILURE;
  }
}
