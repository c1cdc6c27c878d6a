import { ClientError } from '../errors.ts';
import { KafkaError } from '../kafka-errors.ts';
import { Consumer, type ConsumerOptions, type TopicPartitionOffset } from './consumer.ts';
import type { ConsumerRecord } from './record-decoder.ts';
import { cooperativeStickyAssignor } from './assignors/cooperative-sticky.ts';
import { rangeAssignor } from './assignors/range.ts';
import { roundRobinAssignor } from './assignors/roundrobin.ts';
import { comparePartitions, tpKey, type Assignor, type TopicPartition } from './assignors/types.ts';
import { CoordinatorLink } from './group/coordinator.ts';
import { GroupMembership, type JoinResult } from './group/membership.ts';
import { commitOffsets, fetchOffsets, type CommittedOffset, type OffsetAndMetadata } from './group/offsets.ts';

export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

export const BUILTIN_ASSIGNORS: ReadonlyMap<AssignorName, Assignor> = new Map<AssignorName, Assignor>([
  ['range', rangeAssignor], ['roundrobin', roundRobinAssignor], ['cooperative-sticky', cooperativeStickyAssignor],
]);

export interface GroupConsumerOptions extends ConsumerOptions {
  groupId: string;
  /** Static membership (`group.instance.id`): the member keeps its slot across restarts. */
  groupInstanceId?: string;
  /** Default 45000 (Java 3.x). */
  sessionTimeoutMs?: number;
  /** How long the coordinator waits for members to rejoin; Java's max.poll.interval.ms. Default 300000. */
  rebalanceTimeoutMs?: number;
  /** Default 3000. */
  heartbeatIntervalMs?: number;
  /** Preference order; default ['range', 'cooperative-sticky'] as Java 3.x (eager while range is listed). */
  assignors?: ReadonlyArray<AssignorName | Assignor>;
  /** Default true. */
  enableAutoCommit?: boolean;
  /** Default 5000. */
  autoCommitIntervalMs?: number;
  /** How often regex subscriptions and partition counts are re-checked. Default 300000. */
  metadataMaxAgeMs?: number;
  rackId?: string;
  retryBackoffMs?: number;
}

/** Awaited callbacks, called from inside `poll()` (never while the application holds records). */
export interface RebalanceListener {
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /** Offsets are already auto-committed (when enabled); commit here when committing manually. */
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  /** The membership was lost (session expired, fenced): others may own these already; don't commit. Defaults to onPartitionsRevoked. */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

/**
 * A consumer group member on top of the assign-mode Consumer: `subscribe`, then `poll()` (or
 * `run`). Like Java's KafkaConsumer, `poll()` drives the group: it (re)joins when needed, runs the
 * rebalance listener, auto-commits, then fetches. Heartbeats run on their own timer.
 */
export class GroupConsumer {
  readonly consumer: Consumer;
  readonly groupId: string;
  private readonly link: CoordinatorLink;
  private readonly membership: GroupMembership;
  private readonly autoCommit: boolean;
  private readonly autoCommitIntervalMs: number;
  private readonly metadataMaxAgeMs: number;
  private topics: string[] = [];
  private pattern: RegExp | null = null;
  private listener: RebalanceListener = {};
  private owned = new Map<string, TopicPartition>();
  private lastAutoCommitMs = Date.now();
  private lastMetadataCheckMs = Date.now();
  private leaderCounts: Map<string, number> | null = null;
  private fatal: Error | null = null;
  private closed = false;
  private polling: Promise<unknown> | null = null;

  constructor(options: GroupConsumerOptions) {
    if (!options.groupId) throw new ClientError('INVALID_ARGUMENT', 'groupId is required');
    this.groupId = options.groupId;
    this.consumer = new Consumer(options);
    this.autoCommit = options.enableAutoCommit ?? true;
    this.autoCommitIntervalMs = options.autoCommitIntervalMs ?? 5_000;
    this.metadataMaxAgeMs = options.metadataMaxAgeMs ?? 300_000;
    const assignors = (options.assignors ?? ['range', 'cooperative-sticky']).map((a) => {
      if (typeof a !== 'string') return a;
      const found = BUILTIN_ASSIGNORS.get(a);
      if (found === undefined) throw new ClientError('INVALID_ARGUMENT', `unknown assignor ${String(a)}`);
      return found;
    });
    if (assignors.length === 0) throw new ClientError('INVALID_ARGUMENT', 'at least one assignor is required');
    this.link = new CoordinatorLink(this.consumer.cluster, this.groupId);
    this.membership = new GroupMembership(this.link, {
      groupId: this.groupId, groupInstanceId: options.groupInstanceId ?? null,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 45_000, rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 300_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3_000, retryBackoffMs: options.retryBackoffMs ?? 100,
      rackId: options.rackId ?? null, assignors,
    }, {
      beforeJoin: (valid) => this.onJoinPrepare(valid),
      subscription: () => ({ topics: this.topics, owned: [...this.owned.values()] }),
      partitionCounts: (topics) => this.partitionCounts(topics),
      onRejoinNeeded: () => this.consumer.wakeup(),
      onFatal: (err) => { this.fatal ??= err; this.consumer.wakeup(); },
    });
  }

  get memberId(): string { return this.membership.memberId; }
  get generationId(): number { return this.membership.generationId; }
  /** The assignor the coordinator chose in the current generation. */
  get protocolName(): string | null { return this.membership.protocolName; }
  get rebalanceProtocol(): 'eager' | 'cooperative' { return this.membership.rebalanceProtocol; }

  async connect(): Promise<void> {
    await this.consumer.connect();
  }

  /** Subscribes to topic names or a pattern (matched against non-internal topics); replaces any earlier subscription. */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener = {}): void {
    this.assertOpen();
    if (topics instanceof RegExp) {
      this.pattern = new RegExp(topics.source, topics.flags.replace(/[gy]/g, ''));
      this.topics = [];
    } else {
      if (topics.length === 0) throw new ClientError('INVALID_ARGUMENT', 'subscribe needs at least one topic (or call unsubscribe)');
      this.pattern = null;
      this.topics = [...new Set(topics)].sort();
    }
    this.listener = listener;
    this.membership.requestRejoin();
  }

  subscription(): string[] { return [...this.topics]; }

  /** Partitions owned in the current generation. */
  assignment(): TopicPartition[] {
    return [...this.owned.values()].sort(comparePartitions);
  }

  /**
   * Drives the group, then returns fetched records (maybe none after about maxWaitMs). Throws
   * fatal group errors (e.g. FENCED_INSTANCE_ID) and fetch errors.
   */
  async poll(): Promise<ConsumerRecord[]> {
    if (this.polling !== null) throw new ClientError('INVALID_ARGUMENT', 'poll() is already running');
    const p = this.pollOnce();
    this.polling = p;
    try {
      return await p;
    } finally {
      this.polling = null;
    }
  }

  private async pollOnce(): Promise<ConsumerRecord[]> {
    this.assertOpen();
    if (this.topics.length === 0 && this.pattern === null) throw new ClientError('INVALID_ARGUMENT', 'subscribe before poll');
    await this.maybeCheckMetadata();
    if (this.membership.rejoinNeeded || this.membership.state !== 'stable') await this.rejoin();
    await this.maybeAutoCommit();
    if (this.membership.rejoinNeeded) return [];
    return this.consumer.poll();
  }

  /** Polls in a loop, handing each non-empty batch to `eachBatch` (awaited), until `close()`. */
  async run(eachBatch: (records: ConsumerRecord[]) => void | Promise<void>): Promise<void> {
    while (!this.closed) {
      let records: ConsumerRecord[];
      try {
        records = await this.poll();
      } catch (err) {
        if (this.closed && (err as { code?: unknown }).code === 'CLIENT_CLOSED') return;
        throw err;
      }
      if (records.length > 0) await eachBatch(records);
    }
  }

  private async rejoin(): Promise<void> {
    if (this.pattern !== null) this.topics = await this.matchPattern();
    let result: JoinResult;
    try {
      result = await this.membership.join();
    } catch (err) {
      this.failIfFatal(err);
      throw err;
    }
    this.leaderCounts = result.partitionCounts;
    this.lastMetadataCheckMs = Date.now();
    await this.onAssignment(result);
  }

  private failIfFatal(err: unknown): void {
    if (err instanceof KafkaError) this.fatal ??= err;
  }

  /** Before JoinGroup: eager gives everything up; a lost generation loses everything. */
  private async onJoinPrepare(generationValid: boolean): Promise<void> {
    const owned = this.assignment();
    if (owned.length === 0) return;
    if (!generationValid) {
      await this.lose(owned);
      return;
    }
    const subscribed = new Set(this.topics);
    const giveUp = this.membership.rebalanceProtocol === 'eager' ? owned : owned.filter((tp) => !subscribed.has(tp.topic));
    if (giveUp.length > 0) await this.revoke(giveUp);
  }

  /** After SyncGroup: revoke what left, fetch committed offsets for what arrived, then tell the listener. */
  private async onAssignment(result: JoinResult): Promise<void> {
    const assigned = new Map(result.assigned.map((tp) => [tpKey(tp.topic, tp.partition), tp]));
    const revoked = [...this.owned].filter(([k]) => !assigned.has(k)).map(([, tp]) => tp).sort(comparePartitions);
    const added = [...assigned].filter(([k]) => !this.owned.has(k)).map(([, tp]) => tp).sort(comparePartitions);
    if (revoked.length > 0) await this.revoke(revoked);
    const committed = await this.committed(added);
    const startAt = new Map(committed.filter((c) => c.offset >= 0).map((c) => [tpKey(c.topic, c.partition), c.offset]));
    for (const tp of added) this.owned.set(tpKey(tp.topic, tp.partition), tp);
    this.consumer.assign(this.assignment().map((tp) => ({ ...tp, offset: startAt.get(tpKey(tp.topic, tp.partition)) })));
    const cooperative = result.assignor.rebalanceProtocol === 'cooperative' && this.membership.rebalanceProtocol === 'cooperative';
    await this.listener.onPartitionsAssigned?.(cooperative ? added : this.assignment());
    // KIP-429: partitions taken away go to their new owner in a follow-up rebalance.
    if (cooperative && revoked.length > 0) this.membership.requestRejoin();
  }

  private async revoke(partitions: TopicPartition[]): Promise<void> {
    if (this.autoCommit) await this.commitOwned(partitions).catch(() => undefined);
    await this.listener.onPartitionsRevoked?.(partitions);
    this.dropOwned(partitions);
  }

  private async lose(partitions: TopicPartition[]): Promise<void> {
    const cb = this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked;
    await cb?.call(this.listener, partitions);
    this.dropOwned(partitions);
  }

  private dropOwned(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.owned.delete(tpKey(tp.topic, tp.partition));
    this.consumer.assign(this.assignment());
  }

  /**
   * Commits offsets (the next record to read, as Kafka). Without arguments: the position of every
   * owned partition, i.e. everything `poll()` has returned so far.
   */
  async commit(offsets?: readonly OffsetAndMetadata[]): Promise<void> {
    this.assertOpen();
    if (offsets === undefined) return this.commitOwned(this.assignment());
    await this.commitWithGeneration(offsets);
  }

  private async commitOwned(partitions: readonly TopicPartition[]): Promise<void> {
    const offsets: OffsetAndMetadata[] = [];
    for (const tp of partitions) {
      const position = this.consumer.position(tp.topic, tp.partition);
      if (position !== undefined) offsets.push({ ...tp, offset: position });
    }
    await this.commitWithGeneration(offsets);
  }

  private async commitWithGeneration(offsets: readonly OffsetAndMetadata[]): Promise<void> {
    try {
      await commitOffsets(this.link, {
        generationId: this.membership.generationId, memberId: this.membership.memberId, groupInstanceId: this.membership.opts.groupInstanceId,
      }, offsets);
    } catch (err) {
      if (err instanceof KafkaError) {
        if (err.code === 25) this.membership.resetGeneration(true);
        else if (err.code === 22) this.membership.resetGeneration(false);
        else if (err.code === 27) this.membership.requestRejoin();
      }
      throw err;
    }
  }

  /** Committed offsets of the group for `partitions` (offset -1 = none). */
  async committed(partitions: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    return fetchOffsets(this.link, partitions);
  }

  private async maybeAutoCommit(): Promise<void> {
    if (!this.autoCommit || Date.now() - this.lastAutoCommitMs < this.autoCommitIntervalMs) return;
    this.lastAutoCommitMs = Date.now();
    // A failed auto commit is retried at the next interval; rebalance answers already requested a rejoin.
    await this.commitOwned(this.assignment()).catch(() => undefined);
  }

  /** Every metadataMaxAgeMs: a changed pattern match, or (leader) changed partition counts, rejoins. */
  private async maybeCheckMetadata(): Promise<void> {
    if (Date.now() - this.lastMetadataCheckMs < this.metadataMaxAgeMs) return;
    this.lastMetadataCheckMs = Date.now();
    if (this.pattern !== null) {
      const now = await this.matchPattern();
      if (now.join('\u0000') !== this.topics.join('\u0000')) { this.topics = now; this.membership.requestRejoin(); }
    }
    if (this.leaderCounts !== null) {
      const counts = await this.partitionCounts([...this.leaderCounts.keys(), ...this.topics]);
      const changed = [...new Set([...counts.keys(), ...this.leaderCounts.keys()])].some((t) => counts.get(t) !== this.leaderCounts!.get(t));
      if (changed) this.membership.requestRejoin();
    }
  }

  private async matchPattern(): Promise<string[]> {
    const cluster = this.consumer.cluster;
    await cluster.refreshMetadata(null);
    return cluster.knownTopics().filter((t) => !cluster.topic(t)!.isInternal && this.pattern!.test(t)).sort();
  }

  private async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const unique = [...new Set(topics)];
    if (unique.length === 0) return counts;
    const cluster = this.consumer.cluster;
    await cluster.refreshMetadata(unique);
    for (const t of unique) {
      const n = cluster.topic(t)?.partitions.length ?? 0;
      if (n > 0) counts.set(t, n);
    }
    return counts;
  }

  seek(topic: string, partition: number, offset: number): void { this.consumer.seek(topic, partition, offset); }
  position(topic: string, partition: number): number | undefined { return this.consumer.position(topic, partition); }
  pause(partitions: readonly TopicPartition[]): void { for (const tp of partitions) this.consumer.pause(tp.topic, tp.partition); }
  resume(partitions: readonly TopicPartition[]): void { for (const tp of partitions) this.consumer.resume(tp.topic, tp.partition); }

  /** Leaves the subscription: revokes (committing first when auto commit is on) and leaves the group. */
  async unsubscribe(): Promise<void> {
    await this.leaveGroup();
    this.topics = [];
    this.pattern = null;
  }

  private async leaveGroup(): Promise<void> {
    const owned = this.assignment();
    if (owned.length > 0) {
      if (this.membership.generationValid) await this.revoke(owned);
      else await this.lose(owned);
    }
    await this.membership.leave().catch(() => undefined);
  }

  /** Commits (auto commit), revokes, leaves the group (dynamic members), closes connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.consumer.wakeup();
    if (this.membership.state === 'joining') {
      // A JoinGroup can wait for the whole rebalance: abandon it by dropping the connection.
      this.membership.stop();
      this.link.markUnknown();
    }
    await this.polling?.catch(() => undefined);
    try {
      if (this.topics.length > 0 || this.pattern !== null) await this.leaveGroup();
    } finally {
      this.closed = true;
      this.membership.stop();
      this.link.close();
      await this.consumer.close();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientError('CLIENT_CLOSED', 'group consumer is closed');
    if (this.fatal !== null) throw this.fatal;
  }
}

export type { TopicPartition, OffsetAndMetadata, CommittedOffset, TopicPartitionOffset };
