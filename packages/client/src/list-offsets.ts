import { ListOffsetsApi } from '@tributary/protocol/generated/index.ts';
import type { Cluster } from './cluster.ts';
import { ClientError } from './errors.ts';
import { kafkaError } from './kafka-errors.ts';

/** Special ListOffsets timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;

export interface OffsetQuery {
  topic: string;
  partition: number;
  /** LATEST_TIMESTAMP, EARLIEST_TIMESTAMP, or a time in ms (first offset with timestamp >= it). */
  timestamp: number;
}

export interface OffsetAnswer {
  topic: string;
  partition: number;
  /** -1 when no record has a timestamp >= the one asked. */
  offset: number;
  timestamp: number;
}

/**
 * Asks each partition's leader for offsets by time; one request per leader, retried with a
 * metadata refresh when leadership moved. `isolationLevel` 1 answers LATEST with the LSO.
 */
export async function listOffsets(cluster: Cluster, queries: readonly OffsetQuery[], isolationLevel = 0): Promise<OffsetAnswer[]> {
  await cluster.ensureTopics([...new Set(queries.map((q) => q.topic))]);
  return cluster.withRetries('ListOffsets', async () => {
    const byLeader = new Map<number, OffsetQuery[]>();
    for (const q of queries) {
      const leader = cluster.leaderFor(q.topic, q.partition);
      if (leader < 0) throw kafkaError(cluster.topic(q.topic) ? 5 : 3, `no leader for ${q.topic}-${q.partition}`);
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(q);
    }
    const parts = await Promise.all([...byLeader].map(([leader, qs]) => listOffsetsAt(cluster, leader, qs, isolationLevel)));
    return parts.flat();
  });
}

async function listOffsetsAt(cluster: Cluster, leader: number, queries: readonly OffsetQuery[], isolationLevel: number): Promise<OffsetAnswer[]> {
  const topics = new Map<string, Array<{ partitionIndex: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number }>>();
  for (const q of queries) {
    let list = topics.get(q.topic);
    if (list === undefined) topics.set(q.topic, (list = []));
    list.push({ partitionIndex: q.partition, currentLeaderEpoch: -1, timestamp: q.timestamp, maxNumOffsets: 1 });
  }
  const conn = await cluster.connectionTo(leader);
  const res = await conn.send(ListOffsetsApi, {
    replicaId: -1, isolationLevel,
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
  });
  const out: OffsetAnswer[] = [];
  for (const t of res.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0) throw kafkaError(p.errorCode, `ListOffsets ${t.name}-${p.partitionIndex}`);
      const offset = p.offset ?? p.oldStyleOffsets?.[0] ?? -1;
      out.push({ topic: t.name, partition: p.partitionIndex, offset, timestamp: p.timestamp ?? -1 });
    }
  }
  if (out.length !== queries.length) throw new ClientError('PROTOCOL_VIOLATION', `ListOffsets answered ${out.length} of ${queries.length} partitions`);
  return out;
}
