/**
 * A unit's progress on the bus (coin.run.progress.v1): what a worker's unit body reports
 * (UnitProgress) as a RunProgressEvent, and back into the record `UnitRunner.run`'s onProgress
 * receives, so `coin run`'s progress lines read the same whether the unit ran here or in a service.
 * Run-level counts (stages and cells done) are the orchestrator's; a worker leaves them 0.
 */
import { type RunProgressEvent, UnitKind } from '@coin/contracts';
import type { UnitProgress } from '../units/unit-env.js';
import { type BusUnit, eventMeta, protoUnit } from './unit-events.js';

export function progressEvent(unit: BusUnit, runId: string, p: UnitProgress, producer: string): RunProgressEvent {
  const work =
    p.type === 'eval' || p.type === 'judge'
      ? { step: p.done, steps: p.total }
      : p.type === 'stage-start'
        ? { step: 0, steps: p.steps }
        : { step: p.step, steps: p.steps, loss: p.loss };
  return {
    meta: eventMeta(runId, producer),
    unit: protoUnit(unit, runId),
    ...work,
    stagesDone: 0,
    stagesTotal: 0,
    evalCellsDone: 0,
    evalCellsTotal: 0,
    judgeCellsDone: 0,
    judgeCellsTotal: 0,
  };
}

/** The UnitProgress a RunProgressEvent carries (a stage's step 0 without a loss is its start). */
export function unitProgressOf(e: RunProgressEvent): UnitProgress | undefined {
  const unit = e.unit;
  if (!unit) return undefined;
  switch (unit.kind) {
    case UnitKind.UNIT_KIND_STAGE:
      return e.loss === undefined
        ? { type: 'stage-start', stage: unit.stageIndex, name: unit.task, steps: e.steps }
        : { type: 'step', step: e.step, steps: e.steps, loss: e.loss };
    case UnitKind.UNIT_KIND_PRETRAIN:
      return { type: 'pretrain', step: e.step, steps: e.steps, loss: e.loss ?? Number.NaN };
    case UnitKind.UNIT_KIND_EVAL:
      return { type: 'eval', task: unit.task, done: e.step, total: e.steps };
    case UnitKind.UNIT_KIND_JUDGE:
      return { type: 'judge', task: unit.task, done: e.step, total: e.steps };
    default:
      return undefined;
  }
}
