/**
 * The group cache and its persistence in `__consumer_offsets`: which partition owns a group, whether
 * this broker can serve it now (NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS), writing group
 * metadata, offsets and tombstones, and following leadership of the partitions (Kafka's
 * GroupMetadataManager): on election a partition is loaded by replaying it from its start to its
 * end (last value per key wins, tombstones delete), one partition at a time; on
 * resignation its groups leave the cache. A partition is `owned` once loaded; a resignation while
 * it loads cancels the load (its result is dropped).
 */
import type { GroupMetadataValue, RecordInput } from '@tributary/protocol';
import type { Clock } from '@tributary/storage';
import { ErrorCode } from '../error-codes.ts';
import type { Logger } from '../logger.ts';
import { ClassicGroup, GroupMember } from './classic-group.ts';
import type { CoordinatorLog } from './coordinator-log.ts';
import {
  decodeCoordinatorRecord, groupKey, groupValue, offsetKey, offsetValue, partitionForGroup, type CommittedOffset,
} from './group-records.ts';

export interface OffsetWrite {
  readonly topic: string;
  readonly partition: number;
  /** null writes a tombstone. */
  readonly value: CommittedOffset | null;
}

export class GroupStore {
  readonly groups = new Map<string, ClassicGroup>();
  readonly log: CoordinatorLog;
  private readonly clock: Clock;
  private readonly logger: Logger;
  /** Partitions being loaded, with the promise of their load. */
  private readonly loadingPartitions = new Map<number, Promise<void>>();
  /** Partitions loaded and led: their groups are served here. */
  private readonly ownedPartitions = new Set<number>();
  /** Election number per led partition; a load whose number is no longer current is dropped. */
  private readonly elections = new Map<number, number>();
  private electionSeq = 0;
  /** Loads run one after another, in election order. */
  private loadChain: Promise<void> = Promise.resolve();
  /** Test hook: awaited before each partition is replayed (lets tests observe the loading state). */
  private readonly beforeLoad: ((partition: number) => Promise<void>) | undefined;

  constructor(log: CoordinatorLog, clock: Clock, logger: Logger, beforeLoad?: (partition: number) => Promise<void>) {
    this.log = log;
    this.clock = clock;
    this.logger = logger;
    this.beforeLoad = beforeLoad;
  }

  partitionOf(groupId: string): number {
    return partitionForGroup(groupId, this.log.partitionCount);
  }

  get loading(): boolean {
    return this.loadingPartitions.size > 0;
  }

  /** Is the partition loaded and led here? */
  owns(partition: number): boolean {
    return this.ownedPartitions.has(partition);
  }

  /** NONE when this broker can serve the group now; creates `__consumer_offsets` when missing. */
  async checkCoordinator(groupId: string): Promise<number> {
    const created = await this.log.ensureTopic();
    if (created !== ErrorCode.NONE) return created;
    return this.checkLoaded(groupId);
  }

  /**
   * Like checkCoordinator, without creating the topic (reads and admin requests). Before the
   * topic exists no broker holds any group state, so requests are answered (as empty) here.
   */
  checkLoaded(groupId: string): number {
    const p = this.partitionOf(groupId);
    if (this.loadingPartitions.has(p)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    if (this.ownedPartitions.has(p) || !this.log.exists()) return ErrorCode.NONE;
    return ErrorCode.NOT_COORDINATOR;
  }

  metadataValue(group: ClassicGroup, assignments?: ReadonlyMap<string, Buffer>): GroupMetadataValue {
    const protocol = group.protocolName;
    return {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: group.stateTimestampMs,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs, sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? Buffer.alloc(0) : m.metadataFor(protocol),
        assignment: assignments?.get(m.memberId) ?? m.assignment,
      })),
    };
  }

  /** Writes the group's metadata (with `assignments` in place of the current ones when given). */
  appendGroup(group: ClassicGroup, assignments?: ReadonlyMap<string, Buffer>): Promise<number> {
    const record: RecordInput = { key: groupKey(group.groupId), value: groupValue(this.metadataValue(group, assignments)) };
    return this.log.append(this.partitionOf(group.groupId), [record]);
  }

  appendOffsets(groupId: string, writes: readonly OffsetWrite[]): Promise<number> {
    if (writes.length === 0) return Promise.resolve(ErrorCode.NONE);
    const records = writes.map((w) => ({
      key: offsetKey(groupId, w.topic, w.partition), value: w.value === null ? null : offsetValue(w.value),
    }));
    return this.log.append(this.partitionOf(groupId), records);
  }

  /** Tombstones for the group's offsets and its metadata (DeleteGroups, expiry of an empty group). */
  appendGroupTombstones(group: ClassicGroup, withMetadata: boolean): Promise<number> {
    const records: RecordInput[] = [];
    for (const [topic, parts] of group.offsets) {
      for (const partition of parts.keys()) records.push({ key: offsetKey(group.groupId, topic, partition), value: null });
    }
    if (withMetadata) records.push({ key: groupKey(group.groupId), value: null });
    if (records.length === 0) return Promise.resolve(ErrorCode.NONE);
    return this.log.append(this.partitionOf(group.groupId), records);
  }

  /** Elects this broker for every partition it leads now; resolves when they have loaded. */
  loadAll(onLoaded: (group: ClassicGroup) => void): Promise<void> {
    return Promise.all(this.log.ledPartitions().map((p) => this.elect(p, onLoaded))).then(() => undefined);
  }

  /**
   * This broker leads `partition`: marks it loading (synchronously, so requests see it at once)
   * and queues its load; `onLoaded` gets each rebuilt group. Nothing to do when it is already
   * owned or loading (a new leader epoch with the same leader keeps the cache, as Kafka does).
   */
  elect(partition: number, onLoaded: (group: ClassicGroup) => void): Promise<void> {
    const loading = this.loadingPartitions.get(partition);
    if (loading !== undefined) return loading;
    if (this.ownedPartitions.has(partition)) return Promise.resolve();
    const election = ++this.electionSeq;
    this.elections.set(partition, election);
    if (this.log.isEmpty(partition)) {
      // Nothing to replay (a new topic): serve at once rather than answer COORDINATOR_LOAD_IN_PROGRESS.
      this.ownedPartitions.add(partition);
      return Promise.resolve();
    }
    const load = this.loadChain.then(async () => {
      try {
        if (this.elections.get(partition) !== election) return;
        await this.beforeLoad?.(partition);
        await this.loadPartition(partition, election, onLoaded);
      } catch (e) {
        this.logger.error('loading __consumer_offsets failed', { partition, err: e instanceof Error ? e.message : String(e) });
      } finally {
        // Even after a failed load the partition is served (with what did load), as before.
        if (this.elections.get(partition) === election) this.ownedPartitions.add(partition);
        if (this.loadingPartitions.get(partition) === load) this.loadingPartitions.delete(partition);
      }
    });
    this.loadingPartitions.set(partition, load);
    this.loadChain = load;
    return load;
  }

  /**
   * This broker no longer leads `partition`: cancels a load in progress and takes the partition's
   * groups out of the cache, handing each to `onUnloaded` (which answers its waiting requests).
   */
  resign(partition: number, onUnloaded: (group: ClassicGroup) => void): void {
    this.elections.delete(partition);
    this.loadingPartitions.delete(partition);
    const owned = this.ownedPartitions.delete(partition);
    let unloaded = 0;
    for (const [id, group] of [...this.groups]) {
      if (this.partitionOf(id) !== partition) continue;
      this.groups.delete(id);
      onUnloaded(group);
      unloaded++;
    }
    if (owned || unloaded > 0) this.logger.info('unloaded __consumer_offsets partition', { partition, groups: unloaded });
  }

  private async loadPartition(partition: number, election: number, onLoaded: (group: ClassicGroup) => void): Promise<void> {
    const metadata = new Map<string, GroupMetadataValue | null>();
    const offsets = new Map<string, Map<string, { topic: string; partition: number; value: CommittedOffset | null }>>();
    let skipped = 0;
    for await (const chunk of this.log.read(partition)) {
      for (const rec of chunk) {
        let r;
        try {
          r = decodeCoordinatorRecord(rec);
        } catch {
          skipped++;
          continue;
        }
        if (r.type === 'group') metadata.set(r.group, r.value);
        else if (r.type === 'offset') {
          let byKey = offsets.get(r.group);
          if (byKey === undefined) offsets.set(r.group, (byKey = new Map()));
          byKey.set(`${r.topic}\u0000${r.partition}`, { topic: r.topic, partition: r.partition, value: r.value });
        } else skipped++;
      }
    }
    if (skipped > 0) this.logger.warn('skipped unreadable __consumer_offsets records', { partition, skipped });
    if (this.elections.get(partition) !== election) return; // resigned (and maybe re-elected) meanwhile
    const ids = new Set([...metadata.keys(), ...offsets.keys()]);
    let loaded = 0;
    for (const id of ids) {
      const group = this.rebuild(id, metadata.get(id) ?? null, offsets.get(id));
      if (group === null) continue;
      this.groups.set(id, group);
      onLoaded(group);
      loaded++;
    }
    this.logger.info('loaded __consumer_offsets partition', { partition, groups: loaded });
  }

  private rebuild(
    groupId: string, meta: GroupMetadataValue | null, offsets: Map<string, { topic: string; partition: number; value: CommittedOffset | null }> | undefined,
  ): ClassicGroup | null {
    const live = [...(offsets?.values() ?? [])].filter((o) => o.value !== null);
    if (meta === null && live.length === 0) return null;
    const now = this.clock.now();
    const members = meta?.members ?? [];
    const group = new ClassicGroup(groupId, members.length === 0 ? 'Empty' : 'Stable', meta?.currentStateTimestamp ?? now);
    if (group.stateTimestampMs < 0) group.stateTimestampMs = now;
    if (meta !== null) {
      group.generationId = meta.generation;
      group.protocolType = meta.protocolType === '' ? null : meta.protocolType;
      group.protocolName = meta.protocol ?? null;
      for (const m of members) {
        const member = new GroupMember({
          memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, clientId: m.clientId, clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeout ?? m.sessionTimeout, sessionTimeoutMs: m.sessionTimeout,
          protocolType: meta.protocolType, protocols: [{ name: meta.protocol ?? '', metadata: m.subscription }],
        });
        member.assignment = m.assignment;
        group.add(member);
      }
      const leader = meta.leader ?? null;
      if (leader !== null && group.has(leader)) group.leaderId = leader;
    }
    for (const o of live) group.setOffset(o.topic, o.partition, o.value);
    return group;
  }
}
