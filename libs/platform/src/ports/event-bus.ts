/**
 * The event bus port: topics and protobuf payloads from proto/coin/v1/events.proto (topic names in
 * @coin/contracts' topics), key = run id, at-least-once delivery. Adapters: in-process (embedded),
 * Kafka (cluster). Handlers must be idempotent.
 */
export interface BusMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: Uint8Array;
  /** How many times this message has been handed to this group's handler, 1 on first delivery. */
  readonly attempt: number;
}

export type BusHandler = (message: BusMessage) => Promise<void>;

export interface Subscription {
  /** Stops delivery; resolves when no handler of this subscription is running. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Consumer group: each group gets every message once (at least once); members share them. */
  readonly group: string;
  /** Deliveries before a message goes to the topic's dead-letter twin (deadLetterTopic). Default 5. */
  readonly maxAttempts?: number;
  /** Backoff before redelivery after a failure, ms (doubling per attempt). Default 100. */
  readonly retryBackoffMs?: number;
  /** Start from the oldest retained message instead of only new ones. */
  readonly fromBeginning?: boolean;
}

export interface EventBus {
  publish(topic: string, key: string, value: Uint8Array): Promise<void>;
  subscribe(topics: readonly string[], handler: BusHandler, options: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}
