import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ALL_TOPICS } from '@coin/contracts';
import { isCoinError } from '@coin/core';
import { buildMockKafkaLauncher, startDetachedMockKafkaBroker, startMockKafkaBroker } from './mock-broker.js';

const scratch = mkdtempSync(join(tmpdir(), 'coin-kafka-mock-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the default broker holds every event topic and its dead-letter twin, 3 partitions each', async () => {
  const broker = await startMockKafkaBroker();
  const admin = new Kafka({ clientId: 't', brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    assert.match(broker.brokers[0], /^127\.0\.0\.1:\d+$/);
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [...ALL_TOPICS] });
    assert.deepEqual(topics.map((t) => t.name).sort(), [...ALL_TOPICS].sort());
    assert.ok(ALL_TOPICS.some((t) => t.endsWith('.dlt')));
    for (const topic of topics) assert.equal(topic.partitions.length, 3, topic.name);
  } finally {
    await admin.disconnect();
    await broker.stop();
  }
});

test('several brokers, given topics; down and up are acknowledged; a stopped broker refuses commands', async () => {
  const broker = await startMockKafkaBroker({ brokerCount: 2, topics: ['a.v1'], partitions: 2 });
  assert.equal(broker.brokers.length, 2);
  await broker.down();
  await broker.up();
  await broker.stop();
  await broker.stop(); // twice is fine
  await assert.rejects(broker.down(), (e) => isCoinError(e) && e.code === 'KAFKA_MOCK.STOPPED');
});

test('the launcher is built once per source version, into the cache folder', async () => {
  const cacheDir = join(scratch, 'cache');
  const first = await buildMockKafkaLauncher(cacheDir);
  const built = statSync(first).mtimeMs;
  assert.equal(await buildMockKafkaLauncher(cacheDir), first);
  assert.equal(statSync(first).mtimeMs, built);
  assert.match(first, /kafka-mock-[0-9a-f]{16}$/);
});

test('a missing compiler or missing librdkafka headers say what to install', async () => {
  const path = process.env.PATH;
  const fakeBin = join(scratch, 'bin');
  try {
    process.env.PATH = join(scratch, 'empty');
    await assert.rejects(
      buildMockKafkaLauncher(join(scratch, 'no-gcc')),
      (e) =>
        isCoinError(e) &&
        e.code === 'KAFKA_MOCK.BUILD' &&
        /gcc is not installed/.test(e.message) &&
        /apt-get install librdkafka-dev gcc/.test(e.hint ?? ''),
    );
    // A compiler that cannot find the header, as on a machine without librdkafka-dev.
    mkdirSync(fakeBin);
    writeFileSync(
      join(fakeBin, 'gcc'),
      '#!/bin/sh\necho "fatal error: librdkafka/rdkafka_mock.h: No such file or directory" >&2\nexit 1\n',
    );
    chmodSync(join(fakeBin, 'gcc'), 0o755);
    process.env.PATH = fakeBin;
    await assert.rejects(
      buildMockKafkaLauncher(join(scratch, 'no-headers')),
      (e) => isCoinError(e) && /headers are missing/.test(e.message) && /librdkafka-dev/.test(e.hint ?? ''),
    );
  } finally {
    process.env.PATH = path;
  }
});

test('detached: outlives no pipe, serves Kafka, SIGUSR1/SIGUSR2 take it down and up, SIGTERM ends it', async () => {
  const logFile = join(scratch, 'detached', 'broker.log');
  const broker = await startDetachedMockKafkaBroker({ logFile, topics: ['a.v1'] });
  const alive = () => {
    try {
      process.kill(broker.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    const admin = new Kafka({ clientId: 't', brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: ['a.v1'] });
    assert.equal(topics[0].name, 'a.v1');
    await admin.disconnect();
    process.kill(broker.pid, 'SIGUSR1');
    process.kill(broker.pid, 'SIGUSR2');
    const deadline = Date.now() + 20_000; // each mock-cluster request can wait up to ~1 s, more on a loaded machine
    while (!/ok down\nok up\n/.test(readFileSync(logFile, 'utf8')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.match(readFileSync(logFile, 'utf8'), /^127\.0\.0\.1:\d+\nok down\nok up\n/);
    process.kill(broker.pid, 'SIGTERM');
    while (alive() && Date.now() < deadline + 5000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(), false, 'SIGTERM ended it');
  } finally {
    if (alive()) process.kill(broker.pid, 'SIGKILL');
  }
});
