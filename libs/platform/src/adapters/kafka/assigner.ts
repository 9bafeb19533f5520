/**
 * A subscription-aware round-robin partition assigner. kafkajs' own round-robin assigns only the
 * leader's topics, to every member: when two subscriptions of one group listen to different
 * topics, some topics get no owner and others land on a member that ignores them. Here every topic
 * any member subscribed to is assigned, each only to the members that subscribed to it.
 */
import type { Assigner, AssignerProtocol as Protocol, PartitionAssigner } from 'kafkajs';

export const ASSIGNER_NAME = 'CoinSubscriptionRoundRobin';

export function subscriptionAwareAssigner(protocol: typeof Protocol): PartitionAssigner {
  const { MemberMetadata, MemberAssignment } = protocol;
  return ({ cluster }): Assigner => ({
    name: ASSIGNER_NAME,
    version: 0,
    async assign({ members }) {
      const subscribed = new Map(
        members.map((m) => [m.memberId, new Set(MemberMetadata.decode(m.memberMetadata)?.topics ?? [])]),
      );
      const topics = [...new Set([...subscribed.values()].flatMap((t) => [...t]))];
      await cluster.addMultipleTargetTopics(topics); // the leader's metadata covers only its own topics
      const assignment = new Map(members.map((m) => [m.memberId, {} as Record<string, number[]>]));
      let turn = 0; // carried across topics so that single-partition topics spread over members
      for (const topic of topics.sort()) {
        const owners = [...subscribed].filter(([, t]) => t.has(topic)).map(([id]) => id);
        owners.sort();
        if (owners.length === 0) continue;
        const partitions = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
        partitions.sort((a, b) => a - b);
        for (const partition of partitions) {
          const forMember = assignment.get(owners[turn++ % owners.length]) as Record<string, number[]>;
          (forMember[topic] ??= []).push(partition);
        }
      }
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: MemberAssignment.encode({
          version: 0,
          assignment: assignment.get(memberId) ?? {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: ASSIGNER_NAME,
        metadata: MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
      };
    },
  });
}
