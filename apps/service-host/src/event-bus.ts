/**
 * The one place a service picks its EventBus: Kafka when `kafka.brokers` (COIN_KAFKA_BROKERS) is
 * set. Without brokers a service cannot start — an in-process bus reaches no other process — unless
 * it was handed a bus (startService's `bus`, tests running several services in one process).
 */
import { CoinError } from '@coin/core';
import { type CoinConfig, type EventBus, kafkaEventBusFromConfig, type Logger } from '@coin/platform';

export function createEventBus(config: CoinConfig, logger: Logger): EventBus {
  if (config.kafka.brokers.length > 0) return kafkaEventBusFromConfig(config, logger);
  throw new CoinError('CONFIG.NO_EVENT_BUS', 'FAILED_PRECONDITION', 'no event bus: kafka.brokers is empty', {
    hint: 'set COIN_KAFKA_BROKERS=host:port[,host:port] (coin stack up starts a local broker and sets it); a service talks to the others only over Kafka',
  });
}
