/**
 * Kafka bus settings for tests against the mock broker. Its group coordinator holds a new group's
 * first JoinGroup for 3 s (as a broker's group.initial.rebalance.delay.ms) and expires a member
 * that was silent for the session timeout meanwhile, so the session must outlast that; later
 * rebalances wait the session timeout less 1 s. Fetches wait briefly so that consumers stop fast.
 */
import type { KafkaEventBusOptions } from './kafka-bus.js';

export const FAST_KAFKA_TEST_OPTIONS = {
  sessionTimeoutMs: 4000,
  heartbeatIntervalMs: 100,
  rebalanceTimeoutMs: 4000,
  maxWaitTimeMs: 50,
  idempotent: false, // the mock's controller id is 0: kafkajs cannot get a producer id (see kafka-bus.ts)
  retry: { initialRetryTimeMs: 50, maxRetryTimeMs: 1000, retries: 10 },
} as const satisfies Partial<KafkaEventBusOptions>;
