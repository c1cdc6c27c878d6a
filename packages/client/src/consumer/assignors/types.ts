/**
 * Partition assignors for the classic consumer group protocol. The group leader runs the assignor
 * that every member listed (the coordinator picks it) over the members' subscriptions; the
 * result is sent back through SyncGroup as ConsumerProtocolAssignment bytes.
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** One member's decoded ConsumerProtocolSubscription. */
export interface MemberSubscription {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly topics: readonly string[];
  /** Partitions the member owns now (subscription v1+; empty under the eager protocol). */
  readonly ownedPartitions: readonly TopicPartition[];
  /** Generation in which `ownedPartitions` were assigned; -1 when unknown. */
  readonly generationId: number;
  readonly userData: Buffer | null;
}

/** member id → assigned partitions. Every member of the input has an entry (maybe empty). */
export type GroupAssignment = Map<string, TopicPartition[]>;

export type RebalanceProtocol = 'eager' | 'cooperative';

export interface Assignor {
  /** Protocol name sent in JoinGroup; must match other clients' name for the same algorithm. */
  readonly name: string;
  /** 'cooperative' assignors never move a partition directly between two owners (KIP-429). */
  readonly rebalanceProtocol: RebalanceProtocol;
  /** topic → partition count, for topics present in the metadata. */
  assign(members: readonly MemberSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment;
  /** Bytes put in this member's subscription `userData`, given its last generation. */
  subscriptionUserData?(generationId: number): Buffer | null;
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Java's MemberInfo order: static members first by instance id, then dynamic ones by member id. */
export function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return cmp(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return cmp(a.memberId, b.memberId);
}

/** UTF-16 code unit order, as Java's String.compareTo. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  return cmp(a.topic, b.topic) || a.partition - b.partition;
}

export function emptyAssignment(members: readonly MemberSubscription[]): GroupAssignment {
  return new Map(members.map((m) => [m.memberId, []]));
}
