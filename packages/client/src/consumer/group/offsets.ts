import { OffsetCommitApi, OffsetFetchApi } from '@tributary/protocol/generated/index.ts';
import { kafkaError } from '../../kafka-errors.ts';
import type { TopicPartition } from '../assignors/types.ts';
import { groupByTopic } from './consumer-protocol.ts';
import type { CoordinatorLink } from './coordinator.ts';

export interface OffsetAndMetadata extends TopicPartition {
  /** The next record to read (Kafka's committed-offset convention). */
  offset: number;
  metadata?: string | null;
  leaderEpoch?: number;
}

export interface CommittedOffset extends TopicPartition {
  /** -1 when the group has no committed offset for the partition. */
  offset: number;
  metadata: string | null;
  leaderEpoch: number;
}

export interface CommitIdentity {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** Commit as a non-member: accepted by the coordinator only while the group is Empty. */
export const NO_MEMBER: CommitIdentity = { generationId: -1, memberId: '', groupInstanceId: null };

/** OffsetCommit; throws the first partition error as a KafkaError (code kept). */
export async function commitOffsets(link: CoordinatorLink, who: CommitIdentity, offsets: readonly OffsetAndMetadata[]): Promise<void> {
  if (offsets.length === 0) return;
  const byTopic = new Map<string, OffsetAndMetadata[]>();
  for (const o of offsets) {
    let list = byTopic.get(o.topic);
    if (list === undefined) byTopic.set(o.topic, (list = []));
    list.push(o);
  }
  await link.request(`commit offsets of ${link.groupId}`, async (conn) => {
    const res = await conn.send(OffsetCommitApi, {
      groupId: link.groupId, generationIdOrMemberEpoch: who.generationId, memberId: who.memberId,
      groupInstanceId: who.groupInstanceId, retentionTimeMs: -1,
      topics: [...byTopic].map(([name, list]) => ({
        name,
        partitions: list.map((o) => ({
          partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch ?? -1,
          commitTimestamp: -1, committedMetadata: o.metadata ?? null,
        })),
      })),
    });
    for (const t of res.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) throw kafkaError(p.errorCode, `commit offset of ${t.name}-${p.partitionIndex} for group ${link.groupId}`);
      }
    }
  });
}

/** OffsetFetch for `partitions` (null = every partition the group has an offset for). */
export async function fetchOffsets(link: CoordinatorLink, partitions: readonly TopicPartition[] | null): Promise<CommittedOffset[]> {
  if (partitions !== null && partitions.length === 0) return [];
  const topics = partitions === null ? null : groupByTopic(partitions).map((t) => ({ name: t.topic, partitionIndexes: t.partitions }));
  return link.request(`fetch offsets of ${link.groupId}`, async (conn) => {
    const res = await conn.send(OffsetFetchApi, {
      groupId: link.groupId, topics, requireStable: false,
      groups: [{ groupId: link.groupId, memberId: null, memberEpoch: -1, topics }],
    });
    const group = res.groups !== undefined && res.groups.length > 0 ? res.groups[0]! : { errorCode: res.errorCode ?? 0, topics: res.topics ?? [] };
    if (group.errorCode !== undefined && group.errorCode !== 0) throw kafkaError(group.errorCode, `fetch offsets of group ${link.groupId}`);
    const out: CommittedOffset[] = [];
    for (const t of group.topics) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0) throw kafkaError(p.errorCode, `fetch offset of ${t.name}-${p.partitionIndex} for group ${link.groupId}`);
        out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata ?? null, leaderEpoch: p.committedLeaderEpoch ?? -1 });
      }
    }
    return out;
  });
}
