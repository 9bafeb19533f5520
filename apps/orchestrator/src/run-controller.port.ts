/**
 * The orchestrator's one dependency for running benchmark runs: what BenchmarkService and
 * OperationsService need from whatever executes runs. The adapter is @coin/pipeline's RunController
 * over the service's event bus (docs/protocol.md#runs-over-the-event-bus): it keeps each run's state
 * in the store (`runs/<id>/run.json`), publishes the units' requests for the worker services, and
 * resumes the unfinished runs when it opens. `createRunController` is the one line that picks it.
 */
import { RunController as BusRunController, type RunEvent } from '@coin/pipeline';
import type { ServiceContext } from '@coin/service-host';

export type { RunRecord, RunStateName } from '@coin/pipeline';
export { TERMINAL_STATES } from '@coin/pipeline';

export type RunController = Pick<
  BusRunController,
  'submit' | 'get' | 'list' | 'cancel' | 'updates' | 'watch' | 'close'
>;

/** Nest's injection token for the RunController. */
export const RUN_CONTROLLER = Symbol('coin.run-controller');

/** Opens the controller on the context's bus and store; every run left unfinished starts again. */
export async function createRunController(ctx: ServiceContext): Promise<RunController> {
  const log = ctx.logger.child({ component: 'runs' });
  const controller = await BusRunController.open({
    bus: ctx.bus,
    env: { store: ctx.store, cacheDir: ctx.cacheDir, session: ctx.session },
    producer: ctx.name,
    onEvent: (run: string, e: RunEvent) => {
      if (e.type === 'unit-done') log.info({ run, kind: e.kind, unit: e.label }, 'unit done');
      else if (e.type === 'plan') log.info({ run }, 'run planned');
      else if (e.type === 'unit-corrupt')
        log.warn({ run, unit: e.label, reason: e.reason }, 'unit corrupt in the store: removed, computing it again');
    },
  });
  const resumed = (await controller.list()).filter((r) => r.state === 'RUNNING' || r.state === 'PENDING');
  for (const r of resumed) log.info({ run: r.runId, state: r.state }, 'resuming an unfinished run');
  return controller;
}
