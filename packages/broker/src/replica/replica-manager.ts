/**
 * The partitions this broker hosts. It keeps them in step with the metadata store: opens logs for
 * created topics and added partitions, deletes them with the topic, pushes topic config changes to
 * the logs, and applies partition-state (leader/ISR) changes. Handlers look partitions up here.
 *
 * Replication (Kafka's ISR model, DESIGN.md §4): on each partition state (and at startup) a replica
 * becomes leader (state.leader is this broker), follower (in the assignment, another leader: it is
 * handed to the replica fetcher of that leader) or neither (fetching stops). As leader it expands
 * the ISR when a follower catches up (on its fetch) and shrinks it when one has not caught up for
 * replica.lag.time.max.ms (checked every half of that); both are compare-and-set writes of the
 * partition state, as ZooKeeper-mode Kafka leaders did. On BAD_VERSION the state is re-read: a new
 * leader epoch means another broker leads now, and this one follows the store's state.
 */
import { systemClock, type Clock, type LogDirDescription, type LogManager, type TimerHandle } from '@tributary/storage';
import { TopicConfig, topicLogConfig, type BrokerConfig } from '../config/index.ts';
import type { Logger } from '../logger.ts';
import { MetadataError, type MetadataEvent, type MetadataStore, type PartitionState, type TopicRecord } from '../metadata/index.ts';
import { HighWatermarkCheckpoints } from './hw-checkpoint.ts';
import { Partition, type ReplicaRole } from './partition.ts';
import { ReplicaFetcher, type ReplicaFetcherOptions } from './replica-fetcher.ts';

/** Kafka's defaults for the replica fetcher settings (not yet broker configs here). */
export const REPLICA_FETCH_DEFAULTS = {
  fetchWaitMaxMs: 500,
  fetchBackoffMs: 1000,
  fetchMaxBytes: 1048576,
  fetchResponseMaxBytes: 10485760,
  socketTimeoutMs: 30000,
} as const;

export type ReplicaFetchSettings = { -readonly [K in keyof typeof REPLICA_FETCH_DEFAULTS]: number };

/**
 * Hears a hosted partition's role: when it is first hosted, when its role or leader epoch changes,
 * and 'none' when it is no longer hosted (topic deleted). Coordinators follow leadership with it.
 */
export type PartitionRoleListener = (partition: Partition, role: ReplicaRole) => void;

interface HostedTopic {
  record: TopicRecord;
  partitions: Map<number, Partition>;
  config: TopicConfig;
}

export class ReplicaManager {
  readonly brokerConfig: BrokerConfig;
  private readonly store: MetadataStore;
  private readonly logs: LogManager;
  private readonly log: Logger;
  private readonly topics = new Map<string, HostedTopic>();
  private unsubscribe: (() => void) | null = null;
  private readonly clock: Clock;
  private readonly fetchSettings: ReplicaFetchSettings;
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private isrTimer: TimerHandle | null = null;
  private stopped = false;
  private readonly hwCheckpoints = new HighWatermarkCheckpoints();
  private hwCheckpointTimer: TimerHandle | null = null;
  private readonly roleListeners = new Set<PartitionRoleListener>();
  private shuttingDown = false;

  constructor(
    brokerConfig: BrokerConfig, store: MetadataStore, logs: LogManager, log: Logger,
    clock: Clock = systemClock, fetchSettings: Partial<ReplicaFetchSettings> = {},
  ) {
    this.brokerConfig = brokerConfig;
    this.store = store;
    this.logs = logs;
    this.log = log;
    this.clock = clock;
    this.fetchSettings = { ...REPLICA_FETCH_DEFAULTS, ...fetchSettings };
  }

  /** replica.lag.time.max.ms */
  get replicaLagTimeMaxMs(): number {
    return this.brokerConfig.int('replica.lag.time.max.ms');
  }

  get brokerId(): number {
    return this.brokerConfig.brokerId;
  }

  /** Opens the logs of every topic in the store (recovering them), then follows store changes. */
  start(): void {
    for (const t of this.store.topics()) this.host(t, 0);
    this.unsubscribe = this.store.subscribe((e) => this.onMetadataEvent(e));
    const checkMs = Math.max(1, Math.floor(this.replicaLagTimeMaxMs / 2));
    this.isrTimer = this.clock.setInterval(() => this.maybeShrinkIsrs(), checkMs);
    this.hwCheckpointTimer = this.clock.setInterval(() => this.checkpointHighWatermarks(),
      this.brokerConfig.int('replica.high.watermark.checkpoint.interval.ms'));
  }

  /** Writes `replication-offset-checkpoint` in each log dir (periodically and on stop). */
  checkpointHighWatermarks(): void {
    try {
      this.hwCheckpoints.write(this.allPartitions());
    } catch (e) {
      this.log.error('high watermark checkpoint failed', { error: (e as Error).message });
    }
  }

  /** Stops following the store and fetching; the LogManager owner closes the logs after. */
  stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.isrTimer !== null) this.clock.clearInterval(this.isrTimer);
    this.isrTimer = null;
    if (this.hwCheckpointTimer !== null) {
      this.clock.clearInterval(this.hwCheckpointTimer);
      this.hwCheckpointTimer = null;
      this.checkpointHighWatermarks();
    }
    const fetchers = [...this.fetchers.values()];
    this.fetchers.clear();
    return Promise.all(fetchers.map((f) => f.stop())).then(() => undefined);
  }

  /** Registers a PartitionRoleListener; returns the unregister function. */
  onPartitionRole(listener: PartitionRoleListener): () => void {
    this.roleListeners.add(listener);
    return () => { this.roleListeners.delete(listener); };
  }

  private notifyRole(p: Partition, role: ReplicaRole): void {
    for (const l of [...this.roleListeners]) l(p, role);
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions.get(index);
  }

  /** Effective config of a topic this broker knows, or undefined. */
  topicConfig(topic: string): TopicConfig | undefined {
    return this.topics.get(topic)?.config;
  }

  /** The log directories with the partitions in each (DescribeLogDirs). */
  logDirs(): LogDirDescription[] {
    return this.logs.dirs();
  }

  allPartitions(): Partition[] {
    const out: Partition[] = [];
    for (const t of this.topics.values()) out.push(...t.partitions.values());
    return out;
  }

  /**
   * The effective broker config changed (dynamic broker overrides): recomputes every hosted topic's
   * config and LogConfig from its own overrides, so topics without an override of a changed key
   * pick up the new broker value and those with one keep theirs.
   */
  brokerConfigChanged(): void {
    for (const name of this.topics.keys()) this.reconfigure(name, this.store.topicConfig(name)?.configs ?? {});
  }

  private onMetadataEvent(e: MetadataEvent): void {
    switch (e.type) {
      case 'topic-created': this.host(e.topic, 0); break;
      case 'partitions-added': this.host(e.topic, e.previousCount); break;
      case 'topic-deleted': this.unhost(e.topic); break;
      case 'topic-config': this.reconfigure(e.topic, e.config.configs); break;
      case 'partition-state': this.applyPartitionState(e.topic, e.partition, e.state); break;
      default: break;
    }
  }

  /** Opens the logs of the topic's partitions from `fromPartition` on that list this broker as replica. */
  private host(record: TopicRecord, fromPartition: number): void {
    const overrides = this.store.topicConfig(record.name)?.configs ?? {};
    let hosted = this.topics.get(record.name);
    if (hosted === undefined) {
      hosted = { record, partitions: new Map(), config: new TopicConfig(this.brokerConfig, overrides) };
      this.topics.set(record.name, hosted);
    }
    hosted.record = record;
    const logConfig = topicLogConfig(this.brokerConfig, overrides);
    for (let p = fromPartition; p < record.assignments.length; p++) {
      if (!record.assignments[p]!.includes(this.brokerId) || hosted.partitions.has(p)) continue;
      const state = this.store.partitionState(record.name, p);
      if (state === undefined) throw new Error(`invariant: ${record.name}-${p} has an assignment but no state`);
      const log = this.logs.open(record.name, p, logConfig);
      const checkpointedHw = this.hwCheckpoints.lookup(log.dir, record.name, p);
      const partition = new Partition(record.name, p, record.topicId, log, state, this.brokerId, record.assignments[p]!, this.clock.now(), checkpointedHw);
      hosted.partitions.set(p, partition);
      this.followLeader(partition);
      this.notifyRole(partition, partition.role);
    }
  }

  private unhost(record: TopicRecord): void {
    const hosted = this.topics.get(record.name);
    if (hosted === undefined) return;
    this.topics.delete(record.name);
    for (const p of hosted.partitions.values()) this.stopFetching(p);
    for (const p of hosted.partitions.values()) this.notifyRole(p, 'none');
    for (const p of hosted.partitions.keys()) this.logs.delete(record.name, p);
    this.log.info('deleted topic logs', { topic: record.name, partitions: hosted.partitions.size });
  }

  private reconfigure(topic: string, overrides: Readonly<Record<string, string>>): void {
    const hosted = this.topics.get(topic);
    if (hosted === undefined) return;
    hosted.config = new TopicConfig(this.brokerConfig, overrides);
    const logConfig = topicLogConfig(this.brokerConfig, overrides);
    for (const p of hosted.partitions.values()) p.log.updateConfig(logConfig);
  }

  private applyPartitionState(topic: string, index: number, state: PartitionState): void {
    const p = this.partition(topic, index);
    if (p === undefined) return;
    const change = p.applyState(state, this.clock.now());
    if (change.changed) this.log.info('partition role', { topic, partition: index, role: change.role, leader: state.leader, leaderEpoch: state.leaderEpoch });
    this.followLeader(p);
    if (change.changed) this.notifyRole(p, change.role);
  }

  /**
   * Controlled shutdown: stop fetching for good, so no leader sees this broker catch up and adds it
   * back to an ISR it is leaving (controller/controlled-shutdown.ts).
   */
  beginControlledShutdown(): void {
    this.shuttingDown = true;
    for (const p of this.allPartitions()) this.stopFetching(p);
  }

  /** Hands a follower to its leader's fetcher; takes a leader or a dropped replica away from all fetchers. */
  private followLeader(p: Partition): void {
    if (this.stopped) return;
    if (p.role !== 'follower' || this.shuttingDown) { this.stopFetching(p); return; }
    for (const [leaderId, f] of this.fetchers) if (leaderId !== p.leaderId) this.removeFromFetcher(f, p);
    let fetcher = this.fetchers.get(p.leaderId);
    if (fetcher === undefined) {
      fetcher = new ReplicaFetcher(p.leaderId, this.fetcherOptions());
      this.fetchers.set(p.leaderId, fetcher);
      fetcher.start();
    }
    fetcher.add(p, p.leaderEpoch);
  }

  private stopFetching(p: Partition): void {
    for (const f of this.fetchers.values()) this.removeFromFetcher(f, p);
  }

  /** Removes `p` from a fetcher; a fetcher left without partitions is stopped (its connection closed). */
  private removeFromFetcher(f: ReplicaFetcher, p: Partition): void {
    f.remove(p);
    if (f.size > 0 || this.fetchers.get(f.leaderId) !== f) return;
    this.fetchers.delete(f.leaderId);
    void f.stop();
  }

  private fetcherOptions(): ReplicaFetcherOptions {
    return { brokerId: this.brokerId, clock: this.clock, log: this.log, store: this.store, ...this.fetchSettings };
  }

  /**
   * Leader side of a follower fetch (Fetch with ReplicaId >= 0): records the follower's log end
   * offset, advances the HW, and adds the follower to the ISR once it has caught up. False when
   * `replicaId` is not a follower of this partition here (the caller answers NOT_LEADER_OR_FOLLOWER).
   */
  recordFollowerFetch(p: Partition, replicaId: number, fetchOffset: number): boolean {
    if (!p.recordFollowerFetch(replicaId, fetchOffset, this.clock.now())) return false;
    const expanded = p.isrExpansion(replicaId);
    if (expanded !== null) void this.writeIsr(p, expanded, 'follower caught up');
    return true;
  }

  /** Periodic: drops followers that have not caught up for replica.lag.time.max.ms from the ISR. */
  maybeShrinkIsrs(): void {
    const now = this.clock.now();
    const lagMaxMs = this.replicaLagTimeMaxMs;
    for (const p of this.allPartitions()) {
      const shrunk = p.isrShrink(now, lagMaxMs);
      if (shrunk !== null) void this.writeIsr(p, shrunk, 'follower lagging');
    }
  }

  /**
   * Writes a new ISR with compare-and-set on the partition state (same leader and epoch). The
   * store's partition-state event applies it; on BAD_VERSION the stored state is applied instead
   * (if its epoch moved on, this broker stops acting as leader there) and the next check retries.
   */
  private async writeIsr(p: Partition, isr: readonly number[], reason: string): Promise<void> {
    if (p.isrWriteInFlight || !p.isLeader || this.stopped) return;
    const expectedVersion = p.stateVersion;
    const leaderEpoch = p.leaderEpoch;
    this.log.info('ISR change', { topic: p.topic, partition: p.index, from: p.isr, to: isr, reason });
    p.setProposedIsr(isr);
    try {
      await this.store.updatePartitionState(p.topic, p.index, { leader: this.brokerId, leaderEpoch, isr }, expectedVersion);
    } catch (e) {
      if (!(e instanceof MetadataError)) throw e;
      this.log.warn('ISR change not written', { topic: p.topic, partition: p.index, code: e.code, err: e.message });
      const stored = e.code === 'BAD_VERSION' ? this.store.partitionState(p.topic, p.index) : undefined;
      if (stored !== undefined && stored.version > p.stateVersion && this.partition(p.topic, p.index) === p) {
        p.setProposedIsr(null);
        this.applyPartitionState(p.topic, p.index, stored);
      }
    } finally {
      p.setProposedIsr(null);
    }
  }
}
