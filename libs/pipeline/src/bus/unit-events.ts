/**
 * A run's units as events (docs/protocol.md#runs-over-the-event-bus): for each kind of compute unit
 * its request and completion topics, the payloads the orchestrator and the workers exchange, and the
 * unit key each payload names (completions are matched by it, so a duplicate is harmless). Record
 * key = run id; EventMeta.run = runs/{run id}.
 */
import { randomUUID } from 'node:crypto';
import { CoinError } from '@coin/core';
import {
  EVAL_COMPLETED_TOPIC,
  EVAL_REQUESTED_TOPIC,
  type EvalCompletedEvent,
  type EvalRequestedEvent,
  type EventMeta,
  type EventTopic,
  type JudgeCompletedEvent,
  type JudgeRequestedEvent,
  type PrepCompletedEvent,
  type PrepRequestedEvent,
  type PretrainCompletedEvent,
  type PretrainRequestedEvent,
  type StageCompletedEvent,
  type StageRequestedEvent,
  JUDGE_COMPLETED_TOPIC,
  JUDGE_REQUESTED_TOPIC,
  PREP_COMPLETED_TOPIC,
  PREP_REQUESTED_TOPIC,
  PRETRAIN_COMPLETED_TOPIC,
  PRETRAIN_REQUESTED_TOPIC,
  type RunSpec as ProtoRunSpec,
  STAGE_COMPLETED_TOPIC,
  STAGE_REQUESTED_TOPIC,
  State,
  type Unit as ProtoUnit,
  UnitKind,
} from '@coin/contracts';
import {
  type EvalUnit,
  type JudgeUnit,
  type PrepUnit,
  type PretrainUnit,
  type StageUnit,
  UNITS_CODE_VERSION,
} from '../plan/units.js';

/** The units a worker computes on request (a given base folder is not computed). */
export type BusUnit = PrepUnit | PretrainUnit | StageUnit | EvalUnit | JudgeUnit;
export type BusUnitKind = BusUnit['kind'];
export const BUS_UNIT_KINDS: readonly BusUnitKind[] = ['prep', 'pretrain', 'stage', 'eval', 'judge'];

export const REQUEST_TOPIC = {
  prep: PREP_REQUESTED_TOPIC,
  pretrain: PRETRAIN_REQUESTED_TOPIC,
  stage: STAGE_REQUESTED_TOPIC,
  eval: EVAL_REQUESTED_TOPIC,
  judge: JUDGE_REQUESTED_TOPIC,
} as const satisfies Record<BusUnitKind, EventTopic>;

export const COMPLETED_TOPIC = {
  prep: PREP_COMPLETED_TOPIC,
  pretrain: PRETRAIN_COMPLETED_TOPIC,
  stage: STAGE_COMPLETED_TOPIC,
  eval: EVAL_COMPLETED_TOPIC,
  judge: JUDGE_COMPLETED_TOPIC,
} as const satisfies Record<BusUnitKind, EventTopic>;

export type RequestTopic = (typeof REQUEST_TOPIC)[BusUnitKind];
export type CompletedTopic = (typeof COMPLETED_TOPIC)[BusUnitKind];
export type RequestPayload =
  | PrepRequestedEvent
  | PretrainRequestedEvent
  | StageRequestedEvent
  | EvalRequestedEvent
  | JudgeRequestedEvent;
export type CompletedPayload =
  | PrepCompletedEvent
  | PretrainCompletedEvent
  | StageCompletedEvent
  | EvalCompletedEvent
  | JudgeCompletedEvent;

export const UNIT_KIND_OF: Readonly<Record<BusUnitKind, UnitKind>> = {
  prep: UnitKind.UNIT_KIND_PREP,
  pretrain: UnitKind.UNIT_KIND_PRETRAIN,
  stage: UnitKind.UNIT_KIND_STAGE,
  eval: UnitKind.UNIT_KIND_EVAL,
  judge: UnitKind.UNIT_KIND_JUDGE,
};

export function eventMeta(runId: string, producer: string, attempt = 1): EventMeta {
  const now = Date.now();
  return {
    eventId: randomUUID(),
    run: `runs/${runId}`,
    emitTime: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1_000_000 },
    producer,
    codeVersion: UNITS_CODE_VERSION,
    attempt,
  };
}

/** The run id of an event: its record key, which must agree with EventMeta.run. */
export function runIdOf(meta: EventMeta | undefined, recordKey: string): string {
  if (meta && meta.run !== `runs/${recordKey}`)
    throw new CoinError(
      'BUS.BAD_EVENT',
      'INVALID_ARGUMENT',
      `event for ${meta.run} carries the record key ${JSON.stringify(recordKey)}`,
      { hint: 'the record key of every run event is the run id of EventMeta.run' },
    );
  return recordKey;
}

const cellPlace = (u: EvalUnit) => ({ stageIndex: u.stage?.index ?? 0, taskIndex: u.column + 1, task: u.task });

/** The proto Unit of a unit (name per common.proto's resource names). */
export function protoUnit(unit: BusUnit, runId: string): ProtoUnit {
  const base = {
    key: unit.key,
    kind: UNIT_KIND_OF[unit.kind],
    label: unit.label,
    stageIndex: 0,
    taskIndex: 0,
    task: '',
  };
  switch (unit.kind) {
    case 'prep':
    case 'pretrain':
      return { ...base, name: unit.prefix };
    case 'stage':
      return { ...base, name: stageName(runId, unit.index), stageIndex: unit.index, task: unit.name };
    case 'eval':
      return { ...base, name: cellName(runId, unit, 'evals'), ...cellPlace(unit) };
    case 'judge':
      return { ...base, name: cellName(runId, unit.eval, 'judgements'), ...cellPlace(unit.eval) };
  }
}

const stageName = (runId: string, j: number) => `runs/${runId}/stages/${j}`;
const cellName = (runId: string, u: EvalUnit, what: string) =>
  `${stageName(runId, u.stage?.index ?? 0)}/${what}/${u.task}`;
const manifestUri = (prefix: string) => `${prefix}/manifest.json`;

/** The request event of a unit, with its topic. */
export function requestEvent(
  unit: BusUnit,
  runId: string,
  spec: ProtoRunSpec,
  world: PrepUnit,
  producer: string,
): { readonly topic: RequestTopic; readonly payload: RequestPayload } {
  const meta = eventMeta(runId, producer);
  const pending = State.STATE_PENDING;
  switch (unit.kind) {
    case 'prep':
    case 'pretrain':
      return { topic: REQUEST_TOPIC[unit.kind], payload: { meta, unit: protoUnit(unit, runId), spec } };
    case 'stage':
      return {
        topic: STAGE_REQUESTED_TOPIC,
        payload: {
          meta,
          spec,
          stage: {
            name: stageName(runId, unit.index),
            index: unit.index,
            task: unit.name,
            state: pending,
            dataset: world.prefix,
            parentStage: unit.index > 1 ? stageName(runId, unit.index - 1) : '',
            unitKey: unit.key,
            manifestUri: '',
            steps: 0,
          },
        },
      };
    case 'eval':
      return {
        topic: EVAL_REQUESTED_TOPIC,
        payload: { meta, spec, dataset: world.prefix, evalCell: evalCell(unit, runId, pending) },
      };
    case 'judge':
      return {
        topic: JUDGE_REQUESTED_TOPIC,
        payload: {
          meta,
          spec,
          dataset: world.prefix,
          judgeCell: { ...judgeCell(unit, runId, pending) },
          evalCell: {
            ...evalCell(unit.eval, runId, State.STATE_SUCCEEDED),
            manifestUri: manifestUri(unit.eval.prefix),
          },
        },
      };
  }
}

function evalCell(u: EvalUnit, runId: string, state: State) {
  return {
    name: cellName(runId, u, 'evals'),
    ...cellPlace(u),
    state,
    accuracy: 0,
    sampleCount: 0,
    unitKey: u.key,
    manifestUri: '',
  };
}

function judgeCell(u: JudgeUnit, runId: string, state: State) {
  return {
    name: cellName(runId, u.eval, 'judgements'),
    ...cellPlace(u.eval),
    state,
    score: 0,
    judgedCount: 0,
    unparsedCount: 0,
    unitKey: u.key,
    manifestUri: '',
  };
}

/** What a request asks for: the unit key and the run's spec. */
export function requestedUnit(
  topic: RequestTopic,
  payload: RequestPayload,
): { readonly key: string; readonly spec: ProtoRunSpec | undefined; readonly meta: EventMeta | undefined } {
  const p = payload as Partial<Record<string, unknown>> & { meta?: EventMeta; spec?: ProtoRunSpec };
  const key =
    topic === STAGE_REQUESTED_TOPIC
      ? (p.stage as { unitKey?: string } | undefined)?.unitKey
      : topic === EVAL_REQUESTED_TOPIC
        ? (p.evalCell as { unitKey?: string } | undefined)?.unitKey
        : topic === JUDGE_REQUESTED_TOPIC
          ? (p.judgeCell as { unitKey?: string } | undefined)?.unitKey
          : (p.unit as ProtoUnit | undefined)?.key;
  return { key: key ?? '', spec: p.spec, meta: p.meta };
}

/** The completion event of a unit whose manifest exists, with the manifest's meta folded in. */
export function completedEvent(
  unit: BusUnit,
  runId: string,
  meta: Readonly<Record<string, unknown>>,
  producer: string,
): { readonly topic: CompletedTopic; readonly payload: CompletedPayload } {
  const m = eventMeta(runId, producer);
  const done = State.STATE_SUCCEEDED;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  switch (unit.kind) {
    case 'prep':
    case 'pretrain':
      return {
        topic: COMPLETED_TOPIC[unit.kind],
        payload: { meta: m, unit: protoUnit(unit, runId), manifestUri: manifestUri(unit.prefix) },
      };
    case 'stage': {
      const loss = meta.last_loss;
      return {
        topic: STAGE_COMPLETED_TOPIC,
        payload: {
          meta: m,
          stage: {
            name: stageName(runId, unit.index),
            index: unit.index,
            task: unit.name,
            state: done,
            dataset: '',
            parentStage: unit.index > 1 ? stageName(runId, unit.index - 1) : '',
            unitKey: unit.key,
            manifestUri: manifestUri(unit.prefix),
            steps: num(meta.steps),
            ...(typeof loss === 'number' ? { finalLoss: loss } : {}),
          },
        },
      };
    }
    case 'eval': {
      const acc = meta.accuracy as { coin?: number } | undefined;
      return {
        topic: EVAL_COMPLETED_TOPIC,
        payload: {
          meta: m,
          evalCell: {
            ...evalCell(unit, runId, done),
            accuracy: num(acc?.coin),
            sampleCount: num(meta.count),
            manifestUri: manifestUri(unit.prefix),
          },
        },
      };
    }
    case 'judge': {
      const score = meta.score as { coin?: number } | undefined;
      return {
        topic: JUDGE_COMPLETED_TOPIC,
        payload: {
          meta: m,
          judgeCell: {
            ...judgeCell(unit, runId, done),
            score: num(score?.coin),
            judgedCount: num(meta.n),
            unparsedCount: num(meta.parse_failures),
            manifestUri: manifestUri(unit.prefix),
          },
        },
      };
    }
  }
}

/** The unit key a completion reports. */
export function completedKey(topic: CompletedTopic, payload: CompletedPayload): string {
  const p = payload as Partial<Record<string, unknown>>;
  if (topic === STAGE_COMPLETED_TOPIC) return (p.stage as { unitKey?: string } | undefined)?.unitKey ?? '';
  if (topic === EVAL_COMPLETED_TOPIC) return (p.evalCell as { unitKey?: string } | undefined)?.unitKey ?? '';
  if (topic === JUDGE_COMPLETED_TOPIC) return (p.judgeCell as { unitKey?: string } | undefined)?.unitKey ?? '';
  return (p.unit as ProtoUnit | undefined)?.key ?? '';
}
