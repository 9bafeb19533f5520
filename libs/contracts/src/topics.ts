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
  JudgeRequestedEvent,
  PrepCompletedEvent,
  PrepRequestedEvent,
  PretrainCompletedEvent,
  PretrainRequestedEvent,
  RunCompletedEvent,
  RunProgressEvent,
  RunRequestedEvent,
  StageCompletedEvent,
  StageRequestedEvent,
  UnitFailedEvent,
} from './gen/grpc-js/coin/v1/events.js';

export const RUN_REQUESTED_TOPIC = 'coin.run.requested.v1';
export const DATA_PREPARED_TOPIC = 'coin.data.prepared.v1';
/** A run's units on the bus (docs/protocol.md#runs-over-the-event-bus): prep and pretraining. */
export const PREP_REQUESTED_TOPIC = 'coin.prep.requested.v1';
export const PREP_COMPLETED_TOPIC = 'coin.prep.completed.v1';
export const PRETRAIN_REQUESTED_TOPIC = 'coin.pretrain.requested.v1';
export const PRETRAIN_COMPLETED_TOPIC = 'coin.pretrain.completed.v1';
export const STAGE_REQUESTED_TOPIC = 'coin.stage.requested.v1';
export const STAGE_COMPLETED_TOPIC = 'coin.stage.completed.v1';
export const EVAL_REQUESTED_TOPIC = 'coin.eval.requested.v1';
export const EVAL_COMPLETED_TOPIC = 'coin.eval.completed.v1';
export const JUDGE_REQUESTED_TOPIC = 'coin.judge.requested.v1';
export const JUDGE_COMPLETED_TOPIC = 'coin.judge.completed.v1';
export const RUN_COMPLETED_TOPIC = 'coin.run.completed.v1';
export const UNIT_FAILED_TOPIC = 'coin.unit.failed.v1';
/** Progress of the unit in flight: informational, superseded by the next one (see events.proto). */
export const RUN_PROGRESS_TOPIC = 'coin.run.progress.v1';

/** A topic's dead-letter twin is the topic name plus this suffix. */
export const DEAD_LETTER_SUFFIX = '.dlt';

/** The generated codec of one payload message (ts-proto MessageFns, reduced to what we use). */
export interface EventCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

interface TopicEntry<T> {
  /** Fully qualified protobuf message name, e.g. `coin.v1.RunRequestedEvent`. */
  readonly messageType: string;
  readonly codec: EventCodec<T>;
}

function entry<T>(messageType: string, codec: EventCodec<T>): TopicEntry<T> {
  return { messageType, codec };
}

/** Every topic with its payload type. Dead-letter topics are not keys: see `deadLetterTopic`. */
export const EVENT_TOPICS = {
  [RUN_REQUESTED_TOPIC]: entry('coin.v1.RunRequestedEvent', RunRequestedEvent),
  [DATA_PREPARED_TOPIC]: entry('coin.v1.DataPreparedEvent', DataPreparedEvent),
  [PREP_REQUESTED_TOPIC]: entry('coin.v1.PrepRequestedEvent', PrepRequestedEvent),
  [PREP_COMPLETED_TOPIC]: entry('coin.v1.PrepCompletedEvent', PrepCompletedEvent),
  [PRETRAIN_REQUESTED_TOPIC]: entry('coin.v1.PretrainRequestedEvent', PretrainRequestedEvent),
  [PRETRAIN_COMPLETED_TOPIC]: entry('coin.v1.PretrainCompletedEvent', PretrainCompletedEvent),
  [STAGE_REQUESTED_TOPIC]: entry('coin.v1.StageRequestedEvent', StageRequestedEvent),
  [STAGE_COMPLETED_TOPIC]: entry('coin.v1.StageCompletedEvent', StageCompletedEvent),
  [EVAL_REQUESTED_TOPIC]: entry('coin.v1.EvalRequestedEvent', EvalRequestedEvent),
  [EVAL_COMPLETED_TOPIC]: entry('coin.v1.EvalCompletedEvent', EvalCompletedEvent),
  [JUDGE_REQUESTED_TOPIC]: entry('coin.v1.JudgeRequestedEvent', JudgeRequestedEvent),
  [JUDGE_COMPLETED_TOPIC]: entry('coin.v1.JudgeCompletedEvent', JudgeCompletedEvent),
  [RUN_COMPLETED_TOPIC]: entry('coin.v1.RunCompletedEvent', RunCompletedEvent),
  [UNIT_FAILED_TOPIC]: entry('coin.v1.UnitFailedEvent', UnitFailedEvent),
  [RUN_PROGRESS_TOPIC]: entry('coin.v1.RunProgressEvent', RunProgressEvent),
} as const;

export type EventTopic = keyof typeof EVENT_TOPICS;

/** The payload type of a topic, e.g. `EventPayload<typeof RUN_REQUESTED_TOPIC>` = RunRequestedEvent. */
export type EventPayload<T extends EventTopic> = (typeof EVENT_TOPICS)[T] extends TopicEntry<infer P> ? P : never;

/** All topics, then all dead-letter topics (what a broker must have created). */
export const ALL_TOPICS: readonly string[] = [
  ...Object.keys(EVENT_TOPICS),
  ...Object.keys(EVENT_TOPICS).map((t) => deadLetterTopic(t as EventTopic)),
];

export function isEventTopic(topic: string): topic is EventTopic {
  return Object.hasOwn(EVENT_TOPICS, topic);
}

/** The dead-letter twin of a topic. */
export function deadLetterTopic(topic: EventTopic): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
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
    throw new Error(`payload on ${topic} is not a valid ${EVENT_TOPICS[topic].messageType}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
