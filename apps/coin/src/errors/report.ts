/**
 * The one place where the CLI turns a failure into text and an exit code. Every error, from
 * commander's parser or from our code, is printed the same way on stderr:
 *
 *   coin: error: <what was wrong>
 *     hint: <how to fix it>
 *     code: <AREA.WHAT>
 *
 * Exit codes as README.md states them: 2 for bad usage or bad input, 1 for every other failure.
 * Stack traces appear only for internal errors and only with --verbose.
 */
import { CoinError, exitCodeFor, isCoinError } from '@coin/core';

const BUG_HINT = 'this is a bug in CoIN-TS; rerun with --verbose and report the output';

export function formatError(e: CoinError): string {
  return `coin: error: ${e.describe()}\n  code: ${e.code}\n`;
}

/** Writes `e` to `stderr` and returns the exit code. */
export function reportError(e: unknown, stderr: NodeJS.WritableStream, verbose: boolean): number {
  const error = isCoinError(e)
    ? e
    : new CoinError('CLI.INTERNAL', 'INTERNAL', `internal error: ${e instanceof Error ? e.message : String(e)}`, {
        hint: BUG_HINT,
      });
  stderr.write(formatError(error));
  if (verbose && error.kind === 'INTERNAL' && e instanceof Error && e.stack) stderr.write(`${e.stack}\n`);
  return exitCodeFor(error);
}
