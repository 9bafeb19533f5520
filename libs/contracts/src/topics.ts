/**
 * Event-bus topics: one constant per topic and its dead-letter twin, and the payload codec of each.
 * Naming rule (checked by topics.test.ts against events.proto): message `XxxYyyEvent` travels on
 * `coin.xxx.yyy.v1`; the dead-letter topic appends `.dlt` and carries the same message unchanged.
 * The record key is always the run id.
 */
import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  DataPreparedEvent,
  EvalCompletedEvent,
  EvalRequestedEvent,
  JudgeCompletedEvent,
  RunCompletedEvent,
  RunRequestedEvent,
  StageCompletedEvent,
  StageRequestedEvent,
  UnitFailedEvent,
} from './gen/grpc-js/coin/v1/events.js';

export const RUN_REQUESTED_TOPIC = 'coin.run.requested.v1';
export const DATA_PREPARED_TOPIC = 'coin.data.prepared.v1';
export const STAGE_REQUESTED_TOPIC = 'coin.stage.requested.v1';
export const STAGE_COMPLETED_TOPIC = 'coin.stage.completed.v1';
export const EVAL_REQUESTED_TOPIC = 'coin.eval.requested.v1';
export const EVAL_COMPLETED_TOPIC = 'coin.eval.completed.v1';
export const JUDGE_COMPLETED_TOPIC = 'coin.judge.completed.v1';
export const RUN_COMPLETED_TOPIC = 'coin.run.completed.v1';
export const UNIT_FAILED_TOPIC = 'coin.unit.failed.v1';

export const DEAD_LETTER_SUFFIX = '.dlt';
export const RUN_REQUESTED_DLT_TOPIC = 'coin.run.requested.v1.dlt';
export const DATA_PREPARED_DLT_TOPIC = 'coin.data.prepared.v1.dlt';
export const STAGE_REQUESTED_DLT_TOPIC = 'coin.stage.requested.v1.dlt';
export const STAGE_COMPLETED_DLT_TOPIC = 'coin.stage.completed.v1.dlt';
export const EVAL_REQUESTED_DLT_TOPIC = 'coin.eval.requested.v1.dlt';
export const EVAL_COMPLETED_DLT_TOPIC = 'coin.eval.completed.v1.dlt';
export const JUDGE_COMPLETED_DLT_TOPIC = 'coin.judge.completed.v1.dlt';
export const RUN_COMPLETED_DLT_TOPIC = 'coin.run.completed.v1.dlt';
export const UNIT_FAILED_DLT_TOPIC = 'coin.unit.failed.v1.dlt';

/** The generated codec of one payload message (ts-proto MessageFns, reduced to what we use). */
export interface EventCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

interface TopicEntry<T> {
  /** Fully qualified protobuf message name, e.g. `coin.v1.RunRequestedEvent`. */
  readonly messageType: string;
  /** Its dead-letter twin. */
  readonly deadLetterTopic: string;
  readonly codec: EventCodec<T>;
}

function entry<T>(messageType: string, deadLetterTopic: string, codec: EventCodec<T>): TopicEntry<T> {
  return { messageType, deadLetterTopic, codec };
}

/** Every topic with its payload type. Dead-letter topics are not keys: see `deadLetterTopic`. */
export const EVENT_TOPICS = {
  [RUN_REQUESTED_TOPIC]: entry('coin.v1.RunRequestedEvent', RUN_REQUESTED_DLT_TOPIC, RunRequestedEvent),
  [DATA_PREPARED_TOPIC]: entry('coin.v1.DataPreparedEvent', DATA_PREPARED_DLT_TOPIC, DataPreparedEvent),
  [STAGE_REQUESTED_TOPIC]: entry('coin.v1.StageRequestedEvent', STAGE_REQUESTED_DLT_TOPIC, StageRequestedEvent),
  [STAGE_COMPLETED_TOPIC]: entry('coin.v1.StageCompletedEvent', STAGE_COMPLETED_DLT_TOPIC, StageCompletedEvent),
  [EVAL_REQUESTED_TOPIC]: entry('coin.v1.EvalRequestedEvent', EVAL_REQUESTED_DLT_TOPIC, EvalRequestedEvent),
  [EVAL_COMPLETED_TOPIC]: entry('coin.v1.EvalCompletedEvent', EVAL_COMPLETED_DLT_TOPIC, EvalCompletedEvent),
  [JUDGE_COMPLETED_TOPIC]: entry('coin.v1.JudgeCompletedEvent', JUDGE_COMPLETED_DLT_TOPIC, JudgeCompletedEvent),
  [RUN_COMPLETED_TOPIC]: entry('coin.v1.RunCompletedEvent', RUN_COMPLETED_DLT_TOPIC, RunCompletedEvent),
  [UNIT_FAILED_TOPIC]: entry('coin.v1.UnitFailedEvent', UNIT_FAILED_DLT_TOPIC, UnitFailedEvent),
} as const;

export type EventTopic = keyof typeof EVENT_TOPICS;

/** The payload type of a topic, e.g. `EventPayload<typeof RUN_REQUESTED_TOPIC>` = RunRequestedEvent. */
export type EventPayload<T extends EventTopic> = (typeof EVENT_TOPICS)[T] extends TopicEntry<infer P> ? P : never;

/** All topics, then all dead-letter topics (what a broker must have created). */
export const ALL_TOPICS: readonly string[] = [
  ...Object.keys(EVENT_TOPICS),
  ...Object.values(EVENT_TOPICS).map((t) => t.deadLetterTopic),
];

export function isEventTopic(topic: string): topic is EventTopic {
  return Object.hasOwn(EVENT_TOPICS, topic);
}

/** The dead-letter twin of a topic. */
export function deadLetterTopic(topic: EventTopic): string {
  return EVENT_TOPICS[topic].deadLetterTopic;
}

/** Serialises a payload for its topic. */
export function encodeEvent<T extends EventTopic>(topic: T, payload: EventPayload<T>): Uint8Array {
  const codec = EVENT_TOPICS[topic].codec as EventCodec<EventPayload<T>>;
  return codec.encode(payload).finish();
}

/**
 * Parses a payload read from a topic (or from its dead-letter twin: pass the original topic).
 * Throws an Error naming the topic when the bytes are not a valid message; callers (the event-bus
 * adapters) turn that into a dead-letter publish.
 */
export function decodeEvent<T extends EventTopic>(topic: T, bytes: Uint8Array): EventPayload<T> {
  const codec = EVENT_TOPICS[topic].codec as EventCodec<EventPayload<T>>;
  try {
    return codec.decode(bytes);
  } catch (e) {
    throw new Error(`payload on ${topic} is not a valid ${EVENT_TOPICS[topic].messageType}: ${(e as Error).message}`, { cause: e });
  }
}
