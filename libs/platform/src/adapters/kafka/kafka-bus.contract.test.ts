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
}));
