/**
 * Where a subscription without `fromBeginning` starts: at the end of each partition as it is when
 * `subscribe` is called, for the partitions its group has not committed. The consumer itself starts
 * from the oldest record of such a partition and skips to this offset: kafkajs would resolve
 * "latest" only after the group's first rebalance, seconds later, and lose what was published in
 * between, while a subscriber expects everything published after `subscribe` returned.
 */
import type { Admin } from 'kafkajs';

/** topic → partition → first offset to deliver. Partitions not listed start at their committed offset or the oldest record. */
export type StartOffsets = Map<string, Map<number, bigint>>;

export async function newOnlyStartOffsets(
  admin: Admin,
  group: string,
  topics: readonly string[],
): Promise<StartOffsets> {
  const existing = new Set(await admin.listTopics());
  const starts: StartOffsets = new Map();
  for (const topic of topics) {
    if (!existing.has(topic)) continue; // created later: everything on it is new
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const uncommitted = new Set(committed.partitions.filter((p) => BigInt(p.offset) < 0n).map((p) => p.partition));
    const ends = await admin.fetchTopicOffsets(topic);
    const byPartition = new Map<number, bigint>();
    for (const { partition, high, low } of ends) {
      if (uncommitted.has(partition) && BigInt(high) > BigInt(low)) byPartition.set(partition, BigInt(high));
    }
    if (byPartition.size > 0) starts.set(topic, byPartition);
  }
  return starts;
}

/** Whether the group has a committed offset for one partition now. */
export async function hasCommitted(admin: Admin, group: string, topic: string, partition: number): Promise<boolean> {
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return committed.partitions.some((p) => p.partition === partition && BigInt(p.offset) >= 0n);
}
