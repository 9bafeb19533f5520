/**
 * One subscription of the Kafka bus: one kafkajs consumer in the subscription's group. Partitions
 * are consumed concurrently, each one message at a time, so the messages of one key (one
 * partition) are handled in publish order. A message's offset is committed only after its handler
 * succeeded, or after it was dead-lettered: a failure is retried in place after a doubling
 * backoff, and after `maxAttempts` deliveries the message goes to the topic's dead-letter twin
 * and its partition moves on. Closing during a backoff leaves the message uncommitted, so the
 * group's next member gets it again (at-least-once; its attempt count restarts at 1).
 */
import type { Consumer, EachMessagePayload, KafkaMessage } from 'kafkajs';
import type { BusHandler, BusMessage, Subscription } from '../../ports/event-bus.js';
import type { StartOffsets } from './start-offsets.js';

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
  /** How often to heartbeat while waiting out a backoff, ms. */
  readonly heartbeatIntervalMs: number;
}

export class KafkaSubscription implements Subscription {
  private closing = false;
  private closingDone: Promise<void> | undefined;
  private started: Promise<void> = Promise.resolve();
  private readonly running = new Set<Promise<void>>();
  private readonly sleeps = new Set<() => void>();

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
  }

  close(): Promise<void> {
    this.closingDone ??= this.shutDown();
    return this.closingDone;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    for (const wake of this.sleeps) wake();
    // kafkajs ignores a stop while the first join is under way: let it finish (or fail) first.
    await this.started.catch(() => undefined);
    try {
      await this.consumer.disconnect(); // waits for the message in hand, then leaves the group
    } finally {
      while (this.running.size > 0) await Promise.all(this.running);
      this.host.closed(this);
    }
  }

  private async onMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    if (this.closing) return; // not committed: the group's next member gets it
    const offset = BigInt(message.offset);
    if (await this.skipsAhead(topic, partition, offset)) return;
    const key = message.key?.toString() ?? '';
    const value = new Uint8Array(message.value ?? Buffer.alloc(0));
    for (let attempt = 1; ; attempt++) {
      const delivered: BusMessage = { topic, key, value, attempt };
      const failure = await this.deliver(delivered);
      if (failure === undefined) break;
      this.host.handlerFailed(failure.thrown, delivered);
      if (attempt >= this.settings.maxAttempts) {
        await this.host.deadLetter(topic, partition, message, failure.thrown, attempt);
        break;
      }
      await this.backoff(this.settings.retryBackoffMs * 2 ** (attempt - 1), heartbeat);
      if (this.closing) return;
    }
    await this.consumer.commitOffsets([{ topic, partition, offset: (offset + 1n).toString() }]);
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

  /** Calls the handler once: undefined when it succeeded, else what it threw. */
  private async deliver(message: BusMessage): Promise<{ thrown: unknown } | undefined> {
    const call = (async () => this.settings.handler(message))();
    const settled = call.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(settled);
    try {
      await call;
      return undefined;
    } catch (thrown) {
      return { thrown };
    } finally {
      this.running.delete(settled);
    }
  }

  /** Waits `ms` (cut short by close), heartbeating so that a long backoff keeps the group membership. */
  private async backoff(ms: number, heartbeat: () => Promise<void>): Promise<void> {
    const until = Date.now() + ms;
    while (!this.closing && Date.now() < until) {
      await this.sleep(Math.min(until - Date.now(), this.settings.heartbeatIntervalMs));
      if (!this.closing) await heartbeat();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }
}
