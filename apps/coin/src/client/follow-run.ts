/** Follows a run with WatchRun until it ends: progress on stderr; resolves with the final Run. */
import type { ServiceError } from '@grpc/grpc-js';
import { CoinError } from '@coin/core';
import { type Run, State, type WatchRunResponse } from '@coin/contracts';
import { fromGrpcError, type Orchestrator } from './orchestrator-client.js';
import { runIdOf, stateName } from './run-view.js';
import { WatchProgress } from './watch-progress.js';

const TERMINAL = new Set([State.STATE_SUCCEEDED, State.STATE_FAILED, State.STATE_CANCELLED]);

export async function followRun(
  orchestrator: Orchestrator,
  name: string,
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
): Promise<Run> {
  const progress = new WatchProgress(stderr);
  let last: Run | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const call = orchestrator.client.watchRun({ name, includeSteps: true });
      call.on('data', (m: WatchRunResponse) => {
        progress.on(m);
        if (m.run) last = m.run;
      });
      call.on('error', (e: ServiceError) => reject(fromGrpcError(e, orchestrator.address)));
      call.on('end', () => resolve());
    });
  } finally {
    progress.end();
  }
  // The stream's last message carries the terminal Run; read it again for its cells either way.
  const { run } = await orchestrator.call((c) => c.getRun, { name });
  const final = run ?? last;
  if (!final || !TERMINAL.has(final.state))
    throw new CoinError('RUN.WATCH_ENDED', 'UNAVAILABLE', `the watch of ${name} ended before the run did`, {
      hint: `watch it again: coin watch ${runIdOf(name)}`,
    });
  return final;
}

/** SUCCEEDED returns; FAILED throws the run's own error, CANCELLED a CANCELLED error (exit 1). */
export function checkFinished(run: Run): void {
  if (run.state === State.STATE_SUCCEEDED) return;
  const id = runIdOf(run.name);
  if (run.state === State.STATE_FAILED && run.error)
    throw new CoinError(run.error.code, 'INTERNAL', `run ${id} failed: ${run.error.message}`, {
      ...(run.error.hint ? { hint: run.error.hint } : {}),
    });
  throw new CoinError('RUN.NOT_SUCCEEDED', 'FAILED_PRECONDITION', `run ${id} ended ${stateName(run.state)}`, {
    hint: `see coin status ${id}`,
  });
}
