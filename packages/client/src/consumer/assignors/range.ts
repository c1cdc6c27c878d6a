import { compareMembers, comparePartitions, emptyAssignment, type Assignor, type GroupAssignment, type MemberSubscription } from './types.ts';

/**
 * Java's RangeAssignor ("range"), eager: per topic, the subscribed members in MemberInfo order
 * each take a contiguous range; the first `partitions % members` take one extra.
 */
export const rangeAssignor: Assignor = {
  name: 'range',
  rebalanceProtocol: 'eager',
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const out = emptyAssignment(members);
    const byTopic = new Map<string, MemberSubscription[]>();
    for (const m of members) {
      for (const t of new Set(m.topics)) {
        let list = byTopic.get(t);
        if (list === undefined) byTopic.set(t, (list = []));
        list.push(m);
      }
    }
    for (const [topic, subscribers] of byTopic) {
      const count = partitionsPerTopic.get(topic);
      if (count === undefined || count <= 0) continue;
      subscribers.sort(compareMembers);
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      for (let i = 0; i < subscribers.length; i++) {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        const list = out.get(subscribers[i]!.memberId)!;
        for (let p = start; p < start + length; p++) list.push({ topic, partition: p });
      }
    }
    for (const list of out.values()) list.sort(comparePartitions);
    return out;
  },
};
