/**
 * The EventBus over Kafka (cluster mode), and the one place kafkajs is used. Records: key = the
 * given key (the run id), value = the protobuf payload. The producer is idempotent and waits for
 * every in-sync replica (acks -1); while no broker answers, a publish retries with backoff for
 * about half a minute before it fails. Each subscription is one consumer in Kafka group
 * `SubscribeOptions.group`; delivery, retries and dead-lettering are described in
 * kafka-subscription.ts, the start of a new group in start-offsets.ts.
 * See docs/configuration.md#event-bus for the delivery contract both buses share.
 */
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import type { Admin, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { CoinError } from '@coin/core';
import type { CoinConfig } from '../../config/config.js';
import type { Logger } from '../../logging/logger.js';
import type { BusHandler, BusMessage, EventBus, SubscribeOptions, Subscription } from '../../ports/event-bus.js';
import { subscriptionAwareAssigner } from './assigner.js';
import { KafkaSubscription, type SubscriptionHost } from './kafka-subscription.js';
import { kafkajsLogCreator } from './kafkajs-logging.js';
import { hasCommitted, newOnlyStartOffsets } from './start-offsets.js';

// kafkajs takes ~90 ms to load: required when the first Kafka bus is made, not on import.
const require = createRequire(import.meta.url);

export interface KafkaEventBusOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Where kafkajs' warnings go (at warn); without one they are dropped. */
  readonly logger?: Logger;
  /** Told of every failed delivery (the bus retries it or dead-letters it). Default: logged at warn. */
  readonly onHandlerError?: (error: unknown, message: BusMessage) => void;
  /** Consumer group session timeout, ms. Default 30000. */
  readonly sessionTimeoutMs?: number;
  /** Consumer heartbeat interval, ms. Default 3000. */
  readonly heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to rejoin, ms. Default 60000. */
  readonly rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for new records, ms (also bounds how fast a consumer stops). Default 1000. */
  readonly maxWaitTimeMs?: number;
  /** Partitions each subscription consumes at once. Default 8. */
  readonly partitionsConcurrently?: number;
  /**
   * Idempotent producer (default true): the broker drops a record a retry sent twice. librdkafka's
   * mock broker reports controller id 0, a broker that does not exist, and kafkajs asks the
   * controller for the producer id: against the mock, pass false.
   */
  readonly idempotent?: boolean;
  /** Client retries (connect, publish, group calls): first wait, longest wait, count. Default 100, 5000, 10. */
  readonly retry?: {
    readonly initialRetryTimeMs?: number;
    readonly maxRetryTimeMs?: number;
    readonly retries?: number;
  };
}

/** The dead-letter twin of a topic, as @coin/contracts names it (checked by the contract suite; not
 * imported, so that loading this library does not load the generated protobuf code). */
function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlt`;
}

/** Error headers added to a dead-lettered record (its key and value are unchanged). */
export const DEAD_LETTER_HEADERS = {
  error: 'coin-error',
  attempts: 'coin-attempts',
  topic: 'coin-original-topic',
  partition: 'coin-original-partition',
  offset: 'coin-original-offset',
} as const;

export class KafkaEventBus implements EventBus {
  private readonly kafkajs: typeof KafkaJs;
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly subscriptions = new Set<KafkaSubscription>();
  private closed = false;

  constructor(private readonly options: KafkaEventBusOptions) {
    if (options.brokers.length === 0) {
      throw new CoinError('BUS.NO_BROKERS', 'FAILED_PRECONDITION', 'the Kafka event bus needs at least one broker', {
        hint: 'set kafka.brokers in the config file or COIN_KAFKA_BROKERS, e.g. kafka:9092',
      });
    }
    this.kafkajs = require('kafkajs') as typeof KafkaJs;
    const retry = options.retry ?? {};
    this.kafka = new this.kafkajs.Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      logLevel: this.kafkajs.logLevel.WARN,
      logCreator: kafkajsLogCreator(options.logger),
      retry: {
        initialRetryTime: retry.initialRetryTimeMs ?? 100,
        maxRetryTime: retry.maxRetryTimeMs ?? 5000,
        retries: retry.retries ?? 10,
      },
    });
  }

  async publish(topic: string, key: string, value: Uint8Array): Promise<void> {
    this.assertOpen(`publish to ${topic}`);
    try {
      const producer = await this.connectedProducer();
      await producer.send({ topic, acks: -1, messages: [{ key, value: Buffer.from(value) }] });
    } catch (error) {
      throw this.unavailable(`cannot publish to ${topic}`, error);
    }
  }

  async subscribe(topics: readonly string[], handler: BusHandler, options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen('subscribe');
    let subscription: KafkaSubscription;
    try {
      const fromBeginning = options.fromBeginning ?? false;
      const startOffsets = fromBeginning
        ? new Map()
        : await newOnlyStartOffsets(await this.connectedAdmin(), options.group, topics);
      const consumer = this.kafka.consumer({
        groupId: options.group,
        partitionAssigners: [subscriptionAwareAssigner(this.kafkajs.AssignerProtocol)],
        sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: this.options.heartbeatIntervalMs ?? 3000,
        rebalanceTimeout: this.options.rebalanceTimeoutMs ?? 60_000,
        maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 1000,
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart)
          this.options.logger?.error(
            { group: payload.groupId, err: payload.error },
            'a Kafka consumer stopped for good',
          );
      });
      subscription = new KafkaSubscription(
        consumer,
        {
          group: options.group,
          topics,
          handler,
          maxAttempts: Math.max(1, options.maxAttempts ?? 5),
          retryBackoffMs: Math.max(0, options.retryBackoffMs ?? 100),
          startOffsets,
          concurrency: this.options.partitionsConcurrently ?? 8,
          heartbeatMs: this.options.heartbeatIntervalMs ?? 3000,
        },
        this.host,
      );
      await subscription.start();
    } catch (error) {
      throw this.unavailable(`cannot subscribe group ${options.group} to ${topics.join(', ')}`, error);
    }
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    const producer = this.producer;
    const admin = this.admin;
    this.producer = this.admin = undefined;
    await Promise.all([
      producer?.then((p) => p.disconnect()).catch(() => undefined),
      admin?.then((a) => a.disconnect()).catch(() => undefined),
    ]);
  }

  private readonly host: SubscriptionHost = {
    deadLetter: (topic, partition, record, error, attempts) =>
      this.deadLetter(topic, partition, record, error, attempts),
    hasCommitted: async (group, topic, partition) => hasCommitted(await this.connectedAdmin(), group, topic, partition),
    handlerFailed: (error, message) => this.handlerFailed(error, message),
    closed: (subscription) => this.subscriptions.delete(subscription),
  };

  private async deadLetter(
    topic: string,
    partition: number,
    record: KafkaMessage,
    error: unknown,
    attempts: number,
  ): Promise<void> {
    const producer = await this.connectedProducer();
    const reason = error instanceof Error ? error.message : String(error);
    await producer.send({
      topic: deadLetterTopicOf(topic),
      acks: -1,
      messages: [
        {
          key: record.key,
          value: record.value,
          headers: {
            [DEAD_LETTER_HEADERS.error]: reason.slice(0, 2000),
            [DEAD_LETTER_HEADERS.attempts]: String(attempts),
            [DEAD_LETTER_HEADERS.topic]: topic,
            [DEAD_LETTER_HEADERS.partition]: String(partition),
            [DEAD_LETTER_HEADERS.offset]: record.offset,
          },
        },
      ],
    });
  }

  private handlerFailed(error: unknown, message: BusMessage): void {
    try {
      if (this.options.onHandlerError) this.options.onHandlerError(error, message);
      else
        this.options.logger?.warn(
          { topic: message.topic, key: message.key, attempt: message.attempt, err: error },
          'event handler failed',
        );
    } catch {
      // a broken error hook must not stop delivery
    }
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= connect(
      this.kafka.producer({
        idempotent: this.options.idempotent ?? true,
        maxInFlightRequests: 1,
        createPartitioner: this.kafkajs.Partitioners.DefaultPartitioner,
      }),
      () => (this.producer = undefined),
    );
    return this.producer;
  }

  private connectedAdmin(): Promise<Admin> {
    this.admin ??= connect(this.kafka.admin(), () => (this.admin = undefined));
    return this.admin;
  }

  private assertOpen(action: string): void {
    if (this.closed) {
      throw new CoinError('BUS.CLOSED', 'FAILED_PRECONDITION', `cannot ${action}: the event bus is closed`);
    }
  }

  private unavailable(what: string, error: unknown): CoinError {
    if (error instanceof CoinError) return error;
    return new CoinError(
      'BUS.UNAVAILABLE',
      'UNAVAILABLE',
      `${what}: ${error instanceof Error ? error.message : String(error)}`,
      {
        hint: `check that the Kafka brokers ${this.options.brokers.join(', ')} are reachable (kafka.brokers, COIN_KAFKA_BROKERS)`,
      },
    );
  }
}

/** Connects a kafkajs client; a failed connection forgets the client so that the next call tries anew. */
async function connect<T extends { connect(): Promise<void> }>(client: T, forget: () => void): Promise<T> {
  try {
    await client.connect();
    return client;
  } catch (error) {
    forget();
    throw error;
  }
}

/** The Kafka bus the configuration names (cluster mode). */
export function kafkaEventBusFromConfig(config: CoinConfig, logger?: Logger): KafkaEventBus {
  return new KafkaEventBus({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    idempotent: config.kafka.idempotent,
    maxWaitTimeMs: config.kafka.maxWaitMs,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    // Three heartbeats a session, as Kafka advises; at most every 3 s.
    heartbeatIntervalMs: Math.min(3000, Math.floor(config.kafka.sessionTimeoutMs / 3)),
    logger,
  });
}
