import { cmp, compareMembers, emptyAssignment, type Assignor, type GroupAssignment, type MemberSubscription } from './types.ts';

/**
 * Java's RoundRobinAssignor ("roundrobin"), eager: all partitions of all subscribed topics, sorted
 * by topic then partition, dealt in turn to the members in MemberInfo order, skipping members not
 * subscribed to the partition's topic.
 */
export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  rebalanceProtocol: 'eager',
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const out = emptyAssignment(members);
    if (members.length === 0) return out;
    const sorted = [...members].sort(compareMembers);
    const subscribed = sorted.map((m) => new Set(m.topics));
    const topics = [...new Set(members.flatMap((m) => m.topics))].filter((t) => (partitionsPerTopic.get(t) ?? 0) > 0).sort(cmp);
    let next = 0;
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic)!;
      for (let partition = 0; partition < count; partition++) {
        while (!subscribed[next]!.has(topic)) next = (next + 1) % sorted.length;
        out.get(sorted[next]!.memberId)!.push({ topic, partition });
        next = (next + 1) % sorted.length;
      }
    }
    return out;
  },
};
