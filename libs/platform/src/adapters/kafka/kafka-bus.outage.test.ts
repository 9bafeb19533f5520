import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { createLogger } from '../../logging/logger.js';
import type { BusMessage } from '../../ports/event-bus.js';
import { waitFor } from '../../testing/wait.js';
import { KafkaEventBus } from './kafka-bus.js';
import { type MockKafkaBroker, startMockKafkaBroker } from './mock-broker.js';
import { FAST_KAFKA_TEST_OPTIONS } from './test-options.js';

// A file of its own: taking the broker down would disturb any test running beside it.
let broker: MockKafkaBroker;
before(async () => {
  broker = await startMockKafkaBroker({ topics: ['coin.outage.v1'] });
});
after(() => broker.stop());

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (message: BusMessage) => new TextDecoder().decode(message.value);

test('while the broker is down a publish waits and succeeds once it is back; the consumer resumes and nothing is lost', async () => {
  const logs = new PassThrough();
  const lines: { level: number; kafkajs?: string }[] = [];
  logs.on('data', (chunk: Buffer) =>
    lines.push(
      ...chunk
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ),
  );
  const logger = createLogger({ level: 'debug', format: 'json', destination: logs });
  const bus = new KafkaEventBus({ brokers: broker.brokers, clientId: 'outage', logger, ...FAST_KAFKA_TEST_OPTIONS });
  try {
    const topic = 'coin.outage.v1';
    const seen = new Set<string>();
    await bus.subscribe([topic], async (m) => void seen.add(text(m)), { group: 'survivor' });
    for (let i = 0; i < 5; i++) await bus.publish(topic, `run-${i}`, bytes(`before-${i}`));
    await waitFor('the messages before the outage', () => seen.size === 5, 8000);

    await broker.down();
    let settled = 0;
    const during = Array.from({ length: 5 }, (_, i) =>
      bus.publish(topic, `run-${i}`, bytes(`during-${i}`)).then(() => void settled++),
    );
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(settled, 0, 'a publish succeeded while every broker was down');
    assert.equal(seen.size, 5);

    await broker.up();
    await Promise.all(during);
    for (let i = 0; i < 5; i++) await bus.publish(topic, `run-${i}`, bytes(`after-${i}`));
    await waitFor('every message, once the broker is back', () => seen.size === 15, 15_000);
    const expected = ['before', 'during', 'after'].flatMap((phase) => [0, 1, 2, 3, 4].map((i) => `${phase}-${i}`));
    assert.deepEqual([...seen].sort(), expected.sort());
    assert.ok(lines.length > 0, 'kafkajs said nothing about the outage');
    assert.ok(
      lines.every((l) => l.level === 40 && typeof l.kafkajs === 'string'),
      'kafkajs lines go through our logger, at warn',
    );
  } finally {
    await bus.close();
  }
});
