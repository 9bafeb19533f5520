/**
 * Which of a run's stages, evaluation and judge cells a WatchRun stream has not named yet although
 * the run's counts say they are done: found in plan order by their manifests (the store is the
 * record of what is done), at most as many per kind as the run's record counts, so the units a
 * stream names never run ahead of the progress it sends.
 */
import type { EvalUnit, JudgeUnit, StageUnit } from '@coin/pipeline';
import { type ObjectStore, unitState, type UnitState } from '@coin/platform';
import type { PlannedRun } from '@coin/service-host';
import type { RunRecord } from './run-controller.port.js';

export type FinishedUnit =
  | { readonly kind: 'stage'; readonly unit: StageUnit; readonly state: UnitState }
  | { readonly kind: 'eval'; readonly unit: EvalUnit; readonly state: UnitState }
  | { readonly kind: 'judge'; readonly unit: JudgeUnit; readonly state: UnitState };

type Kind = FinishedUnit['kind'];

export class FinishedUnits {
  readonly #named = new Set<string>();
  readonly #units: Readonly<Record<Kind, readonly (StageUnit | EvalUnit | JudgeUnit)[]>>;
  readonly #count: Record<Kind, number> = { stage: 0, eval: 0, judge: 0 };

  constructor(
    private readonly store: ObjectStore,
    run: PlannedRun,
  ) {
    this.#units = {
      stage: run.plan.stages,
      eval: [...run.plan.zeroShot, ...run.plan.evals.flat()],
      judge: run.plan.judges,
    };
  }

  /** The units done since the last call, stages first, then evaluation and judge cells. */
  async since(record: RunRecord): Promise<FinishedUnit[]> {
    const p = record.progress;
    const done: Record<Kind, number> = { stage: p.stagesDone, eval: p.evalCellsDone, judge: p.judgeCellsDone };
    const found: FinishedUnit[] = [];
    for (const kind of ['stage', 'eval', 'judge'] as const) {
      let wanted = (record.state === 'SUCCEEDED' ? this.#units[kind].length : done[kind]) - this.#count[kind];
      for (const unit of this.#units[kind]) {
        if (wanted <= 0) break;
        if (this.#named.has(unit.key)) continue;
        const state = await unitState(this.store, unit.prefix, { verify: 'size' });
        if (state.state !== 'done') continue;
        this.#named.add(unit.key);
        this.#count[kind]++;
        wanted--;
        found.push({ kind, unit, state } as FinishedUnit);
      }
    }
    return found;
  }
}
