/**
 * Committed offsets (Kafka's GroupMetadataManager/GroupCoordinator offset paths): OffsetCommit
 * with Kafka's generation/member checks (simple commits with generation -1 for groups without
 * members), OffsetFetch, OffsetDelete, and the periodic expiry of offsets by
 * `offsets.retention.minutes`. A commit is answered once its records are replicated in
 * `__consumer_offsets`; the cache changes only after that.
 */
import { ErrorCode } from '../error-codes.ts';
import { ClassicGroup, CONSUMER_PROTOCOL_TYPE } from './classic-group.ts';
import type { GroupCoordinator } from './group-coordinator.ts';
import type { CommittedOffset } from './group-records.ts';
import type { OffsetWrite } from './group-store.ts';

export interface CommitPartition {
  readonly partitionIndex: number;
  readonly committedOffset: number;
  readonly committedLeaderEpoch: number;
  /** OffsetCommit v1 only; -1 = now. */
  readonly commitTimestamp: number;
  readonly committedMetadata: string | null;
}

export interface CommitRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** OffsetCommit v2-4; -1 = broker default retention. */
  readonly retentionTimeMs: number;
  readonly topics: readonly { name: string; partitions: readonly CommitPartition[] }[];
}

export interface PartitionError {
  readonly partitionIndex: number;
  errorCode: number;
}

export type TopicErrors = { readonly name: string; readonly partitions: PartitionError[] }[];

export interface FetchedPartition {
  readonly partitionIndex: number;
  readonly committedOffset: number;
  readonly committedLeaderEpoch: number;
  readonly metadata: string;
  readonly errorCode: number;
}

export interface FetchResult {
  readonly errorCode: number;
  readonly topics: { name: string; partitions: FetchedPartition[] }[];
}

/** Does the topic partition exist (UNKNOWN_TOPIC_OR_PARTITION otherwise)? */
export type PartitionExists = (topic: string, partition: number) => boolean;

/** TRIBUTARY_TRACE_GROUPS=1: one stderr line per OffsetCommit and OffsetFetch (debugging interop runs). */
const TRACE = process.env.TRIBUTARY_TRACE_GROUPS === '1';
const trace = (line: string): void => { process.stderr.write(`[groups ${new Date().toISOString()}] ${line}\n`); };
const traceOffsets = (topics: readonly { name: string; partitions: readonly { partitionIndex: number; committedOffset?: number; errorCode?: number }[] }[]): string =>
  topics.map((t) => `${t.name}:${t.partitions.map((p) => `${p.partitionIndex}=${p.committedOffset ?? ''}${p.errorCode ? `!${p.errorCode}` : ''}`).join(',')}`).join(' ');

const allErrors = (topics: CommitRequest['topics'], errorCode: number): TopicErrors =>
  topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) }));

export class GroupOffsets {
  private readonly coordinator: GroupCoordinator;
  private readonly partitionExists: PartitionExists;
  /** Numbers OffsetCommits in TRIBUTARY_TRACE_GROUPS lines, pairing "received" with "answered". */
  private traceSeq = 0;

  constructor(coordinator: GroupCoordinator, partitionExists: PartitionExists) {
    this.coordinator = coordinator;
    this.partitionExists = partitionExists;
  }

  private get store() { return this.coordinator.store; }

  /** OffsetCommit (traced when TRIBUTARY_TRACE_GROUPS=1). */
  async commit(req: CommitRequest): Promise<TopicErrors> {
    if (!TRACE) return this.commitOffsets(req);
    const seq = ++this.traceSeq;
    const g = this.store.groups.get(req.groupId);
    trace(`commit#${seq} received group=${req.groupId} member=${req.memberId} gen=${req.generationId} (group gen=${g?.generationId} state=${g?.state}) ${traceOffsets(req.topics)}`);
    const result = await this.commitOffsets(req);
    trace(`commit#${seq} answered ${traceOffsets(result)}`);
    return result;
  }

  private async commitOffsets(req: CommitRequest): Promise<TopicErrors> {
    if (req.groupId === '') return allErrors(req.topics, ErrorCode.INVALID_GROUP_ID);
    const coordinator = await this.store.checkCoordinator(req.groupId);
    if (coordinator !== ErrorCode.NONE) return allErrors(req.topics, coordinator);
    let group = this.store.groups.get(req.groupId);
    if (group === undefined) {
      if (req.generationId >= 0) return allErrors(req.topics, ErrorCode.ILLEGAL_GENERATION);
      group = new ClassicGroup(req.groupId, 'Empty', this.coordinator.clock.now());
      this.store.groups.set(req.groupId, group);
    }
    const invalid = this.validateCommit(group, req);
    if (invalid !== ErrorCode.NONE) return allErrors(req.topics, invalid);
    const now = this.coordinator.clock.now();
    const expireTimestampMs = req.retentionTimeMs >= 0 ? now + req.retentionTimeMs : null;
    const result: TopicErrors = [];
    const writes: (OffsetWrite & { result: PartitionError })[] = [];
    for (const t of req.topics) {
      const partitions: PartitionError[] = [];
      result.push({ name: t.name, partitions });
      for (const p of t.partitions) {
        const r: PartitionError = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
        partitions.push(r);
        const metadata = p.committedMetadata ?? '';
        if (!this.partitionExists(t.name, p.partitionIndex)) r.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (metadata.length > this.coordinator.config.offsetMetadataMaxBytes) r.errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        else {
          const value: CommittedOffset = {
            offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata,
            commitTimestampMs: p.commitTimestamp >= 0 ? p.commitTimestamp : now, expireTimestampMs,
          };
          writes.push({ topic: t.name, partition: p.partitionIndex, value, result: r });
        }
      }
    }
    const err = await this.store.appendOffsets(req.groupId, writes);
    const target = this.store.groups.get(req.groupId);
    for (const w of writes) {
      if (err !== ErrorCode.NONE) w.result.errorCode = err;
      else target?.setOffset(w.topic, w.partition, w.value);
    }
    return result;
  }

  /** Kafka's doCommitOffsets checks, in its order. */
  private validateCommit(group: ClassicGroup, req: CommitRequest): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(req.groupInstanceId, req.memberId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (req.generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
    if (group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(req.memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.coordinator.touch(group, member);
    return ErrorCode.NONE;
  }

  /** OffsetFetch for one group; `topics` null = every committed partition. */
  fetch(groupId: string, topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null): FetchResult {
    const result = this.fetchOffsets(groupId, topics);
    if (TRACE) {
      const g = this.store.groups.get(groupId);
      trace(`fetch group=${groupId} (group gen=${g?.generationId} state=${g?.state}) error=${result.errorCode} ${traceOffsets(result.topics)}`);
    }
    return result;
  }

  private fetchOffsets(groupId: string, topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null): FetchResult {
    const loaded = this.store.checkLoaded(groupId);
    if (loaded !== ErrorCode.NONE) return { errorCode: loaded, topics: [] };
    const group = this.store.groups.get(groupId);
    const entry = (partitionIndex: number, o: CommittedOffset | undefined): FetchedPartition => ({
      partitionIndex, committedOffset: o?.offset ?? -1, committedLeaderEpoch: o?.leaderEpoch ?? -1, metadata: o?.metadata ?? '', errorCode: ErrorCode.NONE,
    });
    if (topics === null) {
      const out: FetchResult['topics'] = [];
      for (const [name, parts] of group?.offsets ?? []) {
        out.push({ name, partitions: [...parts].sort((a, b) => a[0] - b[0]).map(([p, o]) => entry(p, o)) });
      }
      return { errorCode: ErrorCode.NONE, topics: out };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => entry(p, group?.offset(t.name, p))) })),
    };
  }

  /** OffsetDelete: removes offsets of topics no member subscribes to. */
  async deleteOffsets(groupId: string, topics: readonly { name: string; partitions: readonly { partitionIndex: number }[] }[]): Promise<{ errorCode: number; topics: TopicErrors }> {
    const none: TopicErrors = [];
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: none };
    const loaded = this.store.checkLoaded(groupId);
    if (loaded !== ErrorCode.NONE) return { errorCode: loaded, topics: none };
    const group = this.store.groups.get(groupId);
    if (group === undefined || group.is('Dead')) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: none };
    if (!group.is('Empty') && group.protocolType !== CONSUMER_PROTOCOL_TYPE) return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: none };
    const subscribed = group.is('Empty') ? new Set<string>() : group.subscribedTopics();
    const writes: (OffsetWrite & { result: PartitionError })[] = [];
    const result: TopicErrors = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const r: PartitionError = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
        if (!this.partitionExists(t.name, p.partitionIndex)) r.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (subscribed === null || subscribed.has(t.name)) r.errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
        else if (group.offset(t.name, p.partitionIndex) !== undefined) writes.push({ topic: t.name, partition: p.partitionIndex, value: null, result: r });
        return r;
      }),
    }));
    const err = await this.store.appendOffsets(groupId, writes);
    for (const w of writes) {
      if (err !== ErrorCode.NONE) w.result.errorCode = err;
      else group.setOffset(w.topic, w.partition, null);
    }
    return { errorCode: ErrorCode.NONE, topics: result };
  }

  /**
   * Kafka's cleanupGroupMetadata: removes expired offsets (tombstones), then drops empty groups
   * left without offsets. Returns how many offsets expired.
   */
  async expireOffsets(): Promise<number> {
    const now = this.coordinator.clock.now();
    let expired = 0;
    for (const group of [...this.store.groups.values()]) {
      if (this.store.checkLoaded(group.groupId) !== ErrorCode.NONE) continue;
      const writes = this.expiredOffsets(group, now);
      const dropGroup = group.is('Empty') && group.size === 0 && writes.length === countOffsets(group);
      if (writes.length === 0 && !dropGroup) continue;
      const err = dropGroup
        ? await this.store.appendGroupTombstones(group, true)
        : await this.store.appendOffsets(group.groupId, writes);
      if (err !== ErrorCode.NONE) continue;
      for (const w of writes) group.setOffset(w.topic, w.partition, null);
      expired += writes.length;
      if (dropGroup && group.is('Empty') && group.size === 0 && !group.hasOffsets() && this.store.groups.get(group.groupId) === group) {
        group.transitionTo('Dead', now);
        this.coordinator.clearTimers(group);
        this.store.groups.delete(group.groupId);
      }
    }
    return expired;
  }

  private expiredOffsets(group: ClassicGroup, now: number): OffsetWrite[] {
    const retentionMs = this.coordinator.config.offsetsRetentionMs;
    let base: ((o: CommittedOffset) => number) | null = null;
    let unsubscribedOnly: Set<string> | null = null;
    if (group.protocolType !== null && group.is('Empty')) base = () => group.stateTimestampMs;
    else if (group.protocolType === null) base = (o) => o.commitTimestampMs;
    else if (group.protocolType === CONSUMER_PROTOCOL_TYPE && group.is('Stable')) {
      unsubscribedOnly = group.subscribedTopics();
      if (unsubscribedOnly !== null) base = (o) => o.commitTimestampMs;
    }
    if (base === null) return [];
    const out: OffsetWrite[] = [];
    for (const [topic, parts] of group.offsets) {
      if (unsubscribedOnly?.has(topic) === true) continue;
      for (const [partition, o] of parts) {
        const isExpired = o.expireTimestampMs !== null ? now >= o.expireTimestampMs : now - base(o) >= retentionMs;
        if (isExpired) out.push({ topic, partition, value: null });
      }
    }
    return out;
  }
}

function countOffsets(group: ClassicGroup): number {
  let n = 0;
  for (const parts of group.offsets.values()) n += parts.size;
  return n;
}
