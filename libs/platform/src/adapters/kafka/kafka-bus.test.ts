import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { DEAD_LETTER_SUFFIX } from '@coin/contracts';
import { isCoinError } from '@coin/core';
import { resolveConfig } from '../../config/config.js';
import type { BusMessage } from '../../ports/event-bus.js';
import { waitFor } from '../../testing/wait.js';
import { DEAD_LETTER_HEADERS, KafkaEventBus, kafkaEventBusFromConfig } from './kafka-bus.js';
import { type MockKafkaBroker, startMockKafkaBroker } from './mock-broker.js';
import { FAST_KAFKA_TEST_OPTIONS } from './test-options.js';

let broker: MockKafkaBroker;
before(async () => {
  broker = await startMockKafkaBroker({ topics: [] });
});
after(() => broker.stop());

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (message: BusMessage) => new TextDecoder().decode(message.value);
const freshTopic = () => `coin.kafka-test.${randomBytes(4).toString('hex')}.v1`;

async function withBus(body: (bus: KafkaEventBus) => Promise<void>): Promise<void> {
  const bus = new KafkaEventBus({ brokers: broker.brokers, clientId: 'kafka-test', ...FAST_KAFKA_TEST_OPTIONS });
  try {
    await body(bus);
  } finally {
    await bus.close();
  }
}

/** Every record of a topic with its headers, read with a plain kafkajs consumer (no bus in between). */
async function readRecords(topic: string, count: number) {
  const kafka = new Kafka({ clientId: 'reader', brokers: broker.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `reader-${randomBytes(4).toString('hex')}`,
    sessionTimeout: 4000,
    maxWaitTimeInMs: 50,
  });
  const records: { key: string; value: string; headers: Record<string, string> }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      records.push({ key: String(message.key), value: String(message.value), headers });
    },
  });
  try {
    await waitFor(`${count} records on ${topic}`, () => records.length >= count, 8000);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

test('a bus without brokers, or a closed one, says what is wrong', async () => {
  assert.throws(
    () => new KafkaEventBus({ brokers: [], clientId: 'x' }),
    (e) => isCoinError(e) && e.code === 'BUS.NO_BROKERS' && /COIN_KAFKA_BROKERS/.test(e.hint ?? ''),
  );
  const config = resolveConfig({ mode: 'cluster', kafka: { brokers: broker.brokers, clientId: 'from-config' } }, {});
  const bus = kafkaEventBusFromConfig(config);
  await bus.close();
  await assert.rejects(bus.publish('t', 'k', bytes('x')), (e) => isCoinError(e) && e.code === 'BUS.CLOSED');
  await assert.rejects(
    bus.subscribe(['t'], async () => undefined, { group: 'g' }),
    (e) => isCoinError(e) && e.code === 'BUS.CLOSED',
  );
});

describe('KafkaEventBus over the wire', { concurrency: true }, () => {
  test('an offset is committed only after its handler succeeded: the next member of the group gets a failed message again', () =>
    withBus(async (bus) => {
      const topic = freshTopic();
      const first: BusMessage[] = [];
      const sub = await bus.subscribe(
        [topic],
        async (m) => {
          first.push(m);
          if (text(m) === 'fails') throw new Error('not now');
        },
        { group: 'workers', maxAttempts: 5, retryBackoffMs: 60_000 },
      );
      await bus.publish(topic, 'run-1', bytes('ok'));
      await bus.publish(topic, 'run-1', bytes('fails'));
      await waitFor('both messages', () => first.length === 2);
      await sub.close(); // during the failed message's backoff: its offset stays uncommitted

      const second: BusMessage[] = [];
      await bus.subscribe([topic], async (m) => void second.push(m), { group: 'workers', fromBeginning: true });
      await waitFor('the redelivery', () => second.length === 1, 8000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(
        second.map((m) => [text(m), m.attempt]),
        [['fails', 1]],
        'only the failed message comes again (ok was committed), counted afresh',
      );
    }));

  test('a poison message goes to the dead-letter topic after maxAttempts with error headers, while other keys proceed', () =>
    withBus(async (bus) => {
      const topic = freshTopic();
      const handled: string[] = [];
      let beforeLastAttempt: string[] = [];
      const failures: number[] = [];
      await bus.subscribe(
        [topic],
        async (m) => {
          if (text(m) === 'poison') {
            failures.push(m.attempt);
            if (m.attempt === 3) beforeLastAttempt = [...handled];
            throw new Error('cannot parse the payload');
          }
          handled.push(m.key);
        },
        { group: 'g', maxAttempts: 3, retryBackoffMs: 300 }, // 900 ms of retries
      );
      await bus.publish(topic, 'run-poison', bytes('poison'));
      const others = Array.from({ length: 8 }, (_, i) => `run-${i}`);
      for (const key of others) await bus.publish(topic, key, bytes('fine'));
      await bus.publish(topic, 'run-poison', bytes('after'));

      await waitFor('every key', () => handled.length === others.length + 1, 8000);
      assert.deepEqual(failures, [1, 2, 3]);
      assert.deepEqual([...handled].sort(), [...others, 'run-poison'].sort());
      // Keys on the poison's partition wait behind it; the others (most of 8 keys over 4 partitions) do not.
      assert.ok(beforeLastAttempt.length >= 5, `only ${beforeLastAttempt.join(', ')} went ahead of the retries`);
      assert.ok(!beforeLastAttempt.includes('run-poison'), 'the message after the poison one waited for it');

      const [dead] = await readRecords(`${topic}${DEAD_LETTER_SUFFIX}`, 1);
      assert.equal(dead.key, 'run-poison');
      assert.equal(dead.value, 'poison');
      assert.equal(dead.headers[DEAD_LETTER_HEADERS.attempts], '3');
      assert.equal(dead.headers[DEAD_LETTER_HEADERS.error], 'cannot parse the payload');
      assert.equal(dead.headers[DEAD_LETTER_HEADERS.topic], topic);
    }));

  test('a new group fromBeginning replays every record from offset 0, in order per key, whatever other groups committed', () =>
    withBus(async (bus) => {
      const topic = freshTopic();
      const sent = new Map<string, string[]>();
      for (let i = 0; i < 24; i++) {
        const key = `run-${i % 6}`;
        sent.set(key, [...(sent.get(key) ?? []), `m${i}`]);
        await bus.publish(topic, key, bytes(`m${i}`));
      }
      const collect = (into: Map<string, string[]>) => async (m: BusMessage) =>
        void into.set(m.key, [...(into.get(m.key) ?? []), text(m)]);
      const total = (m: Map<string, string[]>) => [...m.values()].flat().length;

      const firstGroup = new Map<string, string[]>();
      await bus.subscribe([topic], collect(firstGroup), { group: 'first', fromBeginning: true });
      await waitFor('the first group', () => total(firstGroup) === 24, 8000);
      const replayed = new Map<string, string[]>();
      await bus.subscribe([topic], collect(replayed), { group: 'second', fromBeginning: true });
      await waitFor('the replay', () => total(replayed) === 24, 8000);
      assert.deepEqual(new Map([...replayed].sort()), new Map([...sent].sort()));
      assert.deepEqual(new Map([...firstGroup].sort()), new Map([...sent].sort()));
    }));

  test('two subscriptions of one group on different topics each get their own topic (subscription-aware assignment)', () =>
    withBus(async (bus) => {
      const [a, b] = [freshTopic(), freshTopic()];
      const got: string[] = [];
      await bus.subscribe([a], async (m) => void got.push(`a:${text(m)}`), { group: 'orchestrator' });
      await bus.subscribe([b], async (m) => void got.push(`b:${text(m)}`), { group: 'orchestrator' });
      for (let i = 0; i < 4; i++) {
        await bus.publish(a, `run-${i}`, bytes(`${i}`));
        await bus.publish(b, `run-${i}`, bytes(`${i}`));
      }
      await waitFor('all eight', () => got.length === 8, 8000);
      assert.deepEqual(got.sort(), ['a:0', 'a:1', 'a:2', 'a:3', 'b:0', 'b:1', 'b:2', 'b:3']);
    }));
});
