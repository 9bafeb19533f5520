import { after, before } from 'node:test';
import { eventBusContract } from '../../testing/event-bus-contract.js';
import { KafkaEventBus } from './kafka-bus.js';
import { type MockKafkaBroker, startMockKafkaBroker } from './mock-broker.js';
import { FAST_KAFKA_TEST_OPTIONS } from './test-options.js';

let broker: MockKafkaBroker;
before(async () => {
  broker = await startMockKafkaBroker();
});
after(() => broker.stop());

eventBusContract('KafkaEventBus', async () => ({
  bus: new KafkaEventBus({ brokers: broker.brokers, clientId: 'contract', ...FAST_KAFKA_TEST_OPTIONS }),
  cleanup: async () => undefined,
  // Each consumer group joins the mock cluster in about 3 s, a test joins up to three, and a loaded
  // CI pass has taken over 5 s for two: the wait is for eventual delivery, no assertion is looser.
  deliveryTimeoutMs: 20_000,
}));
