import { CoinError } from '@coin/core';

/** JUDGE.CANCELLED where the signal was aborted: a judge run stops between requests. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw judgeCancelled(signal);
}

export function judgeCancelled(signal: AbortSignal): CoinError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new CoinError('JUDGE.CANCELLED', 'CANCELLED', `the judge run was stopped (${why})`, {
    hint: 'run it again: replies already received are in the judge cache, where one is configured',
    cause: reason,
  });
}
