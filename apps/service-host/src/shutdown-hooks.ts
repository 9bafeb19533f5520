/**
 * What a service still has to do when it is asked to stop: each component that holds work in
 * flight (a run being orchestrated, a unit being computed) registers a drain function. On shutdown
 * every drain runs at once with the deadline's signal: finish the unit before it fires, or stop it
 * and leave it to be picked up again (its manifest is not written, so the unit reads as absent).
 */
import type { Logger } from '@coin/platform';

/** `deadline` aborts when the host stops waiting; `deadlineMs` is how long that is from the call. */
export type DrainFn = (deadline: AbortSignal, deadlineMs: number) => Promise<void>;

export class ShutdownHooks {
  readonly #drains: { readonly what: string; readonly drain: DrainFn }[] = [];
  readonly #stopping = new AbortController();

  /** True from the moment shutdown begins: take no new work. */
  get stopping(): boolean {
    return this.#stopping.signal.aborted;
  }

  /** Aborts when shutdown begins (before any drain runs): end what only waits, such as streams. */
  get signal(): AbortSignal {
    return this.#stopping.signal;
  }

  onShutdown(what: string, drain: DrainFn): void {
    this.#drains.push({ what, drain });
  }

  /** Runs every drain; a drain that fails or outlives the deadline is logged, never thrown. */
  async drain(deadline: AbortSignal, logger: Logger, deadlineMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.#stopping.abort();
    const expired = new Promise<'expired'>((resolve) => {
      if (deadline.aborted) resolve('expired');
      deadline.addEventListener('abort', () => resolve('expired'), { once: true });
    });
    await Promise.all(
      this.#drains.map(async ({ what, drain }) => {
        const done = drain(deadline, deadlineMs).then(
          () => 'done' as const,
          (e: unknown) => {
            logger.warn({ what, err: e }, 'drain failed');
            return 'failed' as const;
          },
        );
        if ((await Promise.race([done, expired])) === 'expired')
          logger.warn({ what }, 'shutdown deadline passed: abandoning the work in flight');
      }),
    );
  }
}
