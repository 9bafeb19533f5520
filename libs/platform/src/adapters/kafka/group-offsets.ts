/**
 * An operator's tools for a consumer group's position (what `kafka-consumer-groups.sh` does):
 * rewinding a group to the oldest retained record of its topics — a replay — and how many records
 * it has not committed yet. Resetting needs a group without live members (stop its consumers first).
 */
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import type { Admin } from 'kafkajs';
import { CoinError } from '@coin/core';

const require = createRequire(import.meta.url);

async function withAdmin<T>(brokers: readonly string[], body: (admin: Admin) => Promise<T>): Promise<T> {
  const { Kafka, logLevel } = require('kafkajs') as typeof KafkaJs;
  const admin = new Kafka({ clientId: 'coin-admin', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await body(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Moves `group`'s committed offsets on `topics` to the oldest retained record: its next member
 * replays them. Stop the group's consumers first. The rewind joins the group as its one member and
 * commits there (kafkajs' `admin.setOffsets` needs DescribeGroups, which librdkafka's mock broker
 * lacks); it consumes nothing.
 */
export async function rewindGroup(
  brokers: readonly string[],
  group: string,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const { Kafka, logLevel } = require('kafkajs') as typeof KafkaJs;
  const kafka = new Kafka({ clientId: 'coin-admin', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const lows = await withAdmin(brokers, async (admin) =>
    Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) }))),
  );
  // A short session: should its LeaveGroup get lost, the group's next member waits 6 s for it, not 30.
  const consumer = kafka.consumer({
    groupId: group,
    maxWaitTimeInMs: 100,
    sessionTimeout: 6000,
    heartbeatInterval: 2000,
  });
  try {
    await consumer.connect();
    let timer: NodeJS.Timeout | undefined;
    const joined = new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
      timer = setTimeout(
        () =>
          reject(
            new CoinError(
              'BUS.REWIND_FAILED',
              'UNAVAILABLE',
              `could not join the consumer group ${group} to rewind it`,
              {
                hint: 'stop every consumer of the group first',
              },
            ),
          ),
        timeoutMs,
      );
    });
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => {} });
    try {
      await joined;
    } finally {
      clearTimeout(timer);
    }
    consumer.pause(topics.map((topic) => ({ topic })));
    for (const { topic, partitions } of lows)
      await consumer.commitOffsets(partitions.map((p) => ({ topic, partition: p.partition, offset: p.low })));
  } finally {
    await consumer.disconnect();
  }
}

/** Records on `topics` that `group` has not committed (a partition it never committed counts from its oldest record). */
export async function groupLag(brokers: readonly string[], group: string, topics: readonly string[]): Promise<number> {
  return withAdmin(brokers, async (admin) => {
    let lag = 0n;
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      for (const { partition, high, low } of ends) {
        const at = BigInt(committed.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
        lag += BigInt(high) - (at >= 0n ? at : BigInt(low));
      }
    }
    return Number(lag);
  });
}
