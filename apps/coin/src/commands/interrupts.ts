import { CoinError } from '@coin/core';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface Interruptible {
  /** What runs, for the message: 'prep synth'. */
  readonly what: string;
  /** The output it writes (untouched when stopped): the message says so. */
  readonly out: string;
  /** What a stop leaves instead, where it is not "untouched" (a resumable run), and what to do then. */
  readonly leaves?: { readonly message: string; readonly hint: string };
}

/**
 * Runs `work` so that Ctrl-C or a kill (SIGINT, SIGTERM) stops it cleanly: the signal aborts
 * `work`'s AbortSignal, `work` stops at its next check, removes its temp folder while unwinding
 * and leaves its output as it was, and the run ends with CLI.INTERRUPTED (exit 128 + signal).
 * The first signal also gives the signals back to Node, so a second one ends the process at once
 * (what it leaves behind is removed by the next run, see removeStaleTempsBeside).
 */
export async function runInterruptible<T>(job: Interruptible, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    removeHandlers();
    controller.abort(interrupted(job, signal));
  };
  const removeHandlers = (): void => {
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    removeHandlers();
  }
}

function interrupted(job: Interruptible, signal: NodeJS.Signals): CoinError {
  return new CoinError(
    'CLI.INTERRUPTED',
    'CANCELLED',
    `interrupted (${signal}): ${job.what} stopped; ${job.leaves?.message ?? `its temporary files were removed and ${job.out} is untouched`}`,
    { hint: job.leaves?.hint ?? 'run the same command again to start over', details: { signal } },
  );
}
