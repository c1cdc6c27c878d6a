import {
  compareMembers, comparePartitions, emptyAssignment, tpKey,
  type Assignor, type GroupAssignment, type MemberSubscription, type TopicPartition,
} from './types.ts';

/**
 * Balanced assignment that keeps each member's owned partitions where it can (sticky).
 *
 * 1. Ownership: each existing partition claimed in `ownedPartitions` goes to the claimant with the
 *    highest generation (stale claims after a lost member lose), if it still subscribes the topic.
 * 2. Unowned partitions, most constrained first, go to the least loaded eligible member.
 * 3. Balance: while some partition can move from a member to an eligible one holding at least two
 *    fewer, move it (newly placed partitions first, so owned ones stay). Each move lowers the sum of
 *    squared loads, so this ends; with identical subscriptions loads differ by at most one.
 *
 * Returns the assignment and the resolved previous owner of each partition.
 */
export function stickyAssign(
  members: readonly MemberSubscription[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): { assignment: GroupAssignment; previousOwner: Map<string, string> } {
  const out = emptyAssignment(members);
  const order = [...members].sort(compareMembers);
  const rank = new Map(order.map((m, i) => [m.memberId, i]));
  const subscribed = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const previousOwner = new Map<string, string>();
  const exists = (tp: TopicPartition): boolean => tp.partition >= 0 && tp.partition < (partitionsPerTopic.get(tp.topic) ?? 0);

  const byGeneration = [...order].sort((a, b) => b.generationId - a.generationId || rank.get(a.memberId)! - rank.get(b.memberId)!);
  for (const m of byGeneration) {
    for (const tp of [...m.ownedPartitions].sort(comparePartitions)) {
      const k = tpKey(tp.topic, tp.partition);
      if (!exists(tp) || previousOwner.has(k)) continue;
      previousOwner.set(k, m.memberId);
      if (subscribed.get(m.memberId)!.has(tp.topic)) out.get(m.memberId)!.push({ topic: tp.topic, partition: tp.partition });
    }
  }

  const eligible = new Map<string, string[]>();
  for (const m of order) {
    for (const t of subscribed.get(m.memberId)!) {
      if ((partitionsPerTopic.get(t) ?? 0) <= 0) continue;
      let list = eligible.get(t);
      if (list === undefined) eligible.set(t, (list = []));
      list.push(m.memberId);
    }
  }
  const leastLoaded = (topic: string): string => {
    let best = '';
    let bestLoad = Infinity;
    for (const id of eligible.get(topic)!) {
      const load = out.get(id)!.length;
      if (load < bestLoad) { best = id; bestLoad = load; }
    }
    return best;
  };

  const placed = new Set<string>();
  for (const list of out.values()) for (const tp of list) placed.add(tpKey(tp.topic, tp.partition));
  const unassigned: TopicPartition[] = [];
  for (const topic of [...eligible.keys()].sort()) {
    const count = partitionsPerTopic.get(topic)!;
    for (let partition = 0; partition < count; partition++) if (!placed.has(tpKey(topic, partition))) unassigned.push({ topic, partition });
  }
  unassigned.sort((a, b) => eligible.get(a.topic)!.length - eligible.get(b.topic)!.length || comparePartitions(a, b));
  for (const tp of unassigned) out.get(leastLoaded(tp.topic))!.push(tp);

  balance(out, order, leastLoaded);
  for (const list of out.values()) list.sort(comparePartitions);
  return { assignment: out, previousOwner };
}

function balance(out: GroupAssignment, order: readonly MemberSubscription[], leastLoaded: (topic: string) => string): void {
  for (;;) {
    let moved = false;
    const byLoad = [...order].sort((a, b) => out.get(b.memberId)!.length - out.get(a.memberId)!.length);
    for (const from of byLoad) {
      const list = out.get(from.memberId)!;
      for (let i = list.length - 1; i >= 0 && !moved; i--) {
        const to = leastLoaded(list[i]!.topic);
        if (out.get(to)!.length < list.length - 1) {
          out.get(to)!.push(list[i]!);
          list.splice(i, 1);
          moved = true;
        }
      }
      if (moved) break;
    }
    if (!moved) return;
  }
}

/** Java's CooperativeStickyAssignor userData: the member's generation as an int32. */
function generationUserData(generationId: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(generationId);
  return b;
}

/**
 * "cooperative-sticky" (KIP-429): the sticky assignment, minus every partition that would move
 * directly from one member to another. The previous owner sees it missing, revokes it and rejoins;
 * the follow-up rebalance hands it to its new owner. No partition ever has two owners.
 */
export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment {
    const { assignment, previousOwner } = stickyAssign(members, partitionsPerTopic);
    for (const [memberId, list] of assignment) {
      assignment.set(memberId, list.filter((tp) => {
        const owner = previousOwner.get(tpKey(tp.topic, tp.partition));
        return owner === undefined || owner === memberId;
      }));
    }
    return assignment;
  },
  subscriptionUserData: generationUserData,
};
