/**
 * An operator's tools for a consumer group's position (what `kafka-consumer-groups.sh` does):
 * rewinding a group to the oldest retained record of its topics — a replay — and how many records
 * it has not committed yet. Resetting needs a group without live members (stop its consumers first).
 */
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import type { Admin } from 'kafkajs';

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
 * replays them. Stop the group's consumers first (a live member would commit over the rewind; not
 * checked: librdkafka's mock broker cannot describe groups).
 */
export async function rewindGroup(brokers: readonly string[], group: string, topics: readonly string[]): Promise<void> {
  await withAdmin(brokers, async (admin) => {
    for (const topic of topics) {
      const low = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId: group,
        topic,
        partitions: low.map((p) => ({ partition: p.partition, offset: p.low })),
      });
    }
  });
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
