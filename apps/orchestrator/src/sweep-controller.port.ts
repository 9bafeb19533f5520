/**
 * The orchestrator's sweeps (docs/protocol.md#sweeps): @coin/pipeline's SweepController over the
 * RunController, its state in the store (`sweeps/<id>/sweep.json`), at most config
 * `sweeps.maxActiveRuns` runs of a sweep in flight. Opened after the runs (which resume on their
 * own), it goes on with every sweep whose runs were not all submitted when the last one stopped.
 */
import { SweepController } from '@coin/pipeline';
import type { ServiceContext } from '@coin/service-host';
import type { RunController } from './run-controller.port.js';

export type Sweeps = Pick<SweepController, 'create' | 'get' | 'list' | 'cancel' | 'close'>;

/** Nest's injection token for the SweepController. */
export const SWEEP_CONTROLLER = Symbol('coin.sweep-controller');

export async function createSweepController(ctx: ServiceContext, runs: RunController): Promise<Sweeps> {
  const log = ctx.logger.child({ component: 'sweeps' });
  const sweeps = await SweepController.open({
    runs,
    store: ctx.store,
    maxActiveRuns: ctx.config.sweeps.maxActiveRuns,
    onError: (sweep, e) =>
      log.error({ sweep, err: e }, 'a sweep could not submit its next run; it tries again when one of its runs ends'),
  });
  const unfinished = (await sweeps.list()).filter((s) => s.state === 'RUNNING' || s.state === 'PENDING');
  for (const s of unfinished)
    log.info({ sweep: s.record.sweepId, state: s.state }, 'going on with an unfinished sweep');
  return sweeps;
}
