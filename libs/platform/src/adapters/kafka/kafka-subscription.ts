/**
 * One subscription of the Kafka bus: one kafkajs consumer in the subscription's group. Partitions
 * are consumed concurrently, each one message at a time, so the messages of one key (one
 * partition) are handled in publish order. A message's offset is committed only after its handler
 * succeeded, or after it was dead-lettered: a failure is redelivered after a doubling backoff
 * (its partition paused meanwhile, see retryLater), and after `maxAttempts` deliveries the message
 * goes to the topic's dead-letter twin and its partition moves on. Closing during a backoff leaves
 * the message uncommitted, so the group's next member gets it again (at-least-once; its attempt
 * count then restarts at 1). While a handler runs (a unit may take minutes) the consumer keeps
 * sending heartbeats, so that the group does not take it for dead and hand its partitions on.
 */
import type { Consumer, EachMessagePayload, KafkaMessage } from 'kafkajs';
import type { BusHandler, BusMessage, Subscription } from '../../ports/event-bus.js';
import type { StartOffsets } from './start-offsets.js';
import { deliverOnce } from '../bus-delivery.js';

/** What a subscription needs from its bus. */
export interface SubscriptionHost {
  /** Publishes the failed record, unchanged, to the dead-letter twin of `topic`. */
  deadLetter(topic: string, partition: number, record: KafkaMessage, error: unknown, attempts: number): Promise<void>;
  /** Whether the group has committed an offset for this partition by now. */
  hasCommitted(group: string, topic: string, partition: number): Promise<boolean>;
  /** Told of every failed delivery. */
  handlerFailed(error: unknown, message: BusMessage): void;
  /** The subscription has closed. */
  closed(subscription: KafkaSubscription): void;
}

export interface SubscriptionSettings {
  readonly group: string;
  readonly topics: readonly string[];
  readonly handler: BusHandler;
  readonly maxAttempts: number;
  readonly retryBackoffMs: number;
  /** Partitions to start at an offset past their oldest record (see start-offsets.ts). */
  readonly startOffsets: StartOffsets;
  /** Partitions consumed at once. */
  readonly concurrency: number;
  /** Heartbeat interval while a handler runs, ms. */
  readonly heartbeatMs: number;
}

export class KafkaSubscription implements Subscription {
  private closing = false;
  private closingDone: Promise<void> | undefined;
  private started: Promise<void> = Promise.resolve();
  private readonly running = new Set<Promise<void>>();
  /** Failed deliveries so far of a record being retried, by topic/partition/offset. */
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly consumer: Consumer,
    private readonly settings: SubscriptionSettings,
    private readonly host: SubscriptionHost,
  ) {}

  /** Connects and subscribes; consumption starts in the background once the group has formed. */
  async start(): Promise<void> {
    await this.consumer.connect();
    // Always from the oldest record where the group has no committed offset: start offsets skip ahead.
    await this.consumer.subscribe({ topics: [...this.settings.topics], fromBeginning: true });
    this.started = this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.settings.concurrency,
      eachMessage: (payload) => this.onMessage(payload),
    });
    this.started.catch(() => undefined); // kafkajs reports a crash itself (logged); close() awaits this
  }

  close(): Promise<void> {
    this.closingDone ??= this.shutDown();
    return this.closingDone;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    // kafkajs ignores a stop while the first join is under way: let it finish (or fail) first.
    await this.started.catch(() => undefined);
    try {
      await this.consumer.disconnect(); // waits for the message in hand, then leaves the group
    } finally {
      while (this.running.size > 0) await Promise.all(this.running);
      this.host.closed(this);
    }
  }

  private async onMessage({ topic, partition, message, pause, heartbeat }: EachMessagePayload): Promise<void> {
    if (this.closing) return; // not committed: the group's next member gets it
    const offset = BigInt(message.offset);
    if (await this.skipsAhead(topic, partition, offset)) return;
    const id = `${topic}/${partition}/${message.offset}`;
    const attempt = (this.failures.get(id) ?? 0) + 1;
    const delivered: BusMessage = {
      topic,
      key: message.key?.toString() ?? '',
      value: new Uint8Array(message.value ?? Buffer.alloc(0)),
      attempt,
    };
    // kafkajs heartbeats between messages only: a long handler would outlast the session.
    const beating = setInterval(() => void heartbeat().catch(() => undefined), this.settings.heartbeatMs);
    let failure: { thrown: unknown } | undefined;
    try {
      failure = await deliverOnce(this.settings.handler, delivered, this.running);
    } finally {
      clearInterval(beating);
    }
    if (failure !== undefined) {
      this.host.handlerFailed(failure.thrown, delivered);
      if (attempt < this.settings.maxAttempts) {
        this.failures.set(id, attempt);
        this.retryLater(topic, partition, message.offset, pause, this.settings.retryBackoffMs * 2 ** (attempt - 1));
        return;
      }
      await this.host.deadLetter(topic, partition, message, failure.thrown, attempt);
    }
    this.failures.delete(id);
    await this.consumer.commitOffsets([{ topic, partition, offset: (offset + 1n).toString() }]);
  }

  /**
   * Redelivers a failed record after `ms`: its partition is paused and rewound to it, so that the
   * key's later records wait, while kafkajs goes on fetching the other partitions (a wait inside
   * the handler call would hold every partition of the broker: kafkajs fetches again only after
   * all batches of the last fetch are done).
   */
  private retryLater(topic: string, partition: number, offset: string, pause: () => () => void, ms: number): void {
    this.consumer.seek({ topic, partition, offset });
    const resume = pause();
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (!this.closing) resume();
    }, ms);
    this.retryTimers.add(timer);
  }

  /**
   * On a partition's first record: when it lies before the partition's start offset and the group
   * still has nothing committed there, commits the start offset and seeks to it (kafkajs then
   * drops the rest of this batch). Decided once per partition.
   */
  private async skipsAhead(topic: string, partition: number, offset: bigint): Promise<boolean> {
    const starts = this.settings.startOffsets.get(topic);
    const start = starts?.get(partition);
    if (start === undefined) return false;
    starts?.delete(partition);
    if (offset >= start || (await this.host.hasCommitted(this.settings.group, topic, partition))) return false;
    await this.consumer.commitOffsets([{ topic, partition, offset: start.toString() }]);
    this.consumer.seek({ topic, partition, offset: start.toString() });
    return true;
  }
}
