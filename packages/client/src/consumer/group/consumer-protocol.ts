import { Reader, Writer } from '@tributary/protocol';
import {
  decodeConsumerProtocolAssignment, decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment, encodeConsumerProtocolSubscription,
} from '@tributary/protocol/generated/index.ts';
import { ClientError } from '../../errors.ts';
import type { MemberSubscription, TopicPartition } from '../assignors/types.ts';

/**
 * The embedded "consumer" protocol: JoinGroup metadata and SyncGroup assignments are an int16
 * version followed by ConsumerProtocolSubscription / ConsumerProtocolAssignment of that version.
 * We write the newest (3, as Java 3.x does) and read any version, newer ones as our newest
 * (later versions only append fields).
 */
export const SUBSCRIPTION_VERSION = 3;
export const ASSIGNMENT_VERSION = 3;
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export interface Subscription {
  topics: readonly string[];
  ownedPartitions: readonly TopicPartition[];
  generationId: number;
  userData: Buffer | null;
  rackId: string | null;
}

/** Groups partitions by topic (topics and partitions in ascending order). */
export function groupByTopic(list: readonly TopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const tp of list) {
    let ps = byTopic.get(tp.topic);
    if (ps === undefined) byTopic.set(tp.topic, (ps = []));
    ps.push(tp.partition);
  }
  return [...byTopic.keys()].sort().map((topic) => ({ topic, partitions: byTopic.get(topic)!.sort((a, b) => a - b) }));
}

function flatten(list: ReadonlyArray<{ topic: string; partitions: readonly number[] }>): TopicPartition[] {
  return list.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
}

export function encodeSubscription(s: Subscription): Buffer {
  const w = new Writer();
  w.int16(SUBSCRIPTION_VERSION);
  encodeConsumerProtocolSubscription(w, SUBSCRIPTION_VERSION, {
    topics: [...s.topics], userData: s.userData, ownedPartitions: groupByTopic(s.ownedPartitions),
    generationId: s.generationId, rackId: s.rackId,
  });
  return w.toBuffer();
}

export function decodeSubscription(bytes: Buffer): Subscription & { version: number } {
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    if (version < 0) throw new ClientError('PROTOCOL_VIOLATION', `subscription version ${version}`);
    const s = decodeConsumerProtocolSubscription(r, Math.min(version, SUBSCRIPTION_VERSION));
    let generationId = s.generationId ?? -1;
    // Before v2 Java's cooperative-sticky kept the generation in userData as an int32.
    if (version < 2 && s.userData && s.userData.length === 4) generationId = s.userData.readInt32BE(0);
    return {
      version, topics: s.topics, ownedPartitions: flatten(s.ownedPartitions ?? []), generationId,
      userData: s.userData ?? null, rackId: s.rackId ?? null,
    };
  } catch (err) {
    if (err instanceof ClientError) throw err;
    throw new ClientError('PROTOCOL_VIOLATION', 'malformed consumer protocol subscription', { cause: err });
  }
}

export function memberSubscription(memberId: string, groupInstanceId: string | null, metadata: Buffer): MemberSubscription {
  const s = decodeSubscription(metadata);
  return { memberId, groupInstanceId, topics: s.topics, ownedPartitions: s.ownedPartitions, generationId: s.generationId, userData: s.userData };
}

export function encodeAssignment(partitions: readonly TopicPartition[], userData: Buffer | null = null): Buffer {
  const w = new Writer();
  w.int16(ASSIGNMENT_VERSION);
  encodeConsumerProtocolAssignment(w, ASSIGNMENT_VERSION, { assignedPartitions: groupByTopic(partitions), userData });
  return w.toBuffer();
}

/** An empty buffer (a member the leader gave nothing, as some brokers send it) is no partitions. */
export function decodeAssignment(bytes: Buffer): { partitions: TopicPartition[]; userData: Buffer | null } {
  if (bytes.length === 0) return { partitions: [], userData: null };
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    const a = decodeConsumerProtocolAssignment(r, Math.min(Math.max(version, 0), ASSIGNMENT_VERSION));
    return { partitions: flatten(a.assignedPartitions), userData: a.userData ?? null };
  } catch (err) {
    throw new ClientError('PROTOCOL_VIOLATION', 'malformed consumer protocol assignment', { cause: err });
  }
}
