/**
 * Follower side of replication: one fetcher (one connection, one loop) per leader broker, fetching
 * every partition this broker follows on that leader, as Kafka's ReplicaFetcherThread does.
 *
 * - A partition added for a new leader or epoch first truncates by leader epoch: OffsetForLeaderEpoch
 *   (v4) with its latest epoch; it truncates to min(leader's end offset for that epoch, own end
 *   offset for it), repeating when the leader answers with an epoch it does not know (KIP-279).
 *   Never blindly to its high watermark (only a log without any epoch falls back to that, as Kafka).
 * - Then Fetch v12 (topic names, ReplicaId in the body, CurrentLeaderEpoch) from its log end offset;
 *   batches are appended with the leader's offsets and the HW follows min(leader HW, own LEO).
 * - OFFSET_OUT_OF_RANGE: below the leader's log start, start over there; ahead of the leader, run the
 *   epoch truncation again. NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH /
 *   UNKNOWN_TOPIC_OR_PARTITION: back off that partition until the metadata store says more.
 * - Connection loss or timeout: drop the connection, back off, reconnect (the leader's address comes
 *   from its registration in the metadata store).
 * Not implemented: fetch sessions, diverging-epoch truncation from Fetch (v12 LastFetchedEpoch is
 * sent as -1), replica quotas, KIP-392 follower fetching for consumers.
 */
import { BATCH, FetchApi, OffsetForLeaderEpochApi, baseOffset, batchSize, lastOffset, type FetchRequest, type FetchResponsePartitionData } from '@tributary/protocol';
import { StorageError, type Clock, type TimerHandle } from '@tributary/storage';
import { ErrorCode } from '../error-codes.ts';
import type { Logger } from '../logger.ts';
import type { MetadataStore } from '../metadata/index.ts';
import { BrokerConnection, BrokerConnectionError } from './broker-connection.ts';
import type { Partition } from './partition.ts';

export const REPLICA_FETCH_VERSION = 12;
export const OFFSET_FOR_LEADER_EPOCH_VERSION = 4;

export interface ReplicaFetcherOptions {
  readonly brokerId: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: MetadataStore;
  /** replica.fetch.wait.max.ms */
  readonly fetchWaitMaxMs: number;
  /** replica.fetch.backoff.ms */
  readonly fetchBackoffMs: number;
  /** replica.fetch.max.bytes (per partition) */
  readonly fetchMaxBytes: number;
  /** replica.fetch.response.max.bytes */
  readonly fetchResponseMaxBytes: number;
  /** replica.socket.timeout.ms */
  readonly socketTimeoutMs: number;
}

interface FetchState {
  readonly partition: Partition;
  readonly leaderEpoch: number;
  truncating: boolean;
  delayedUntilMs: number;
}

class LeaderUnavailableError extends Error {}

export class ReplicaFetcher {
  readonly leaderId: number;
  private readonly opts: ReplicaFetcherOptions;
  private readonly states = new Map<Partition, FetchState>();
  private conn: BrokerConnection | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private waker: (() => void) | null = null;

  constructor(leaderId: number, opts: ReplicaFetcherOptions) {
    this.leaderId = leaderId;
    this.opts = opts;
  }

  get size(): number {
    return this.states.size;
  }

  /** Follows `p` on this leader in `leaderEpoch`; a new epoch restarts with truncation. */
  add(p: Partition, leaderEpoch: number): void {
    const s = this.states.get(p);
    if (s !== undefined && s.leaderEpoch === leaderEpoch) return;
    this.states.set(p, { partition: p, leaderEpoch, truncating: true, delayedUntilMs: 0 });
    this.waker?.();
  }

  remove(p: Partition): void {
    this.states.delete(p);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run(); // an unexpected (bug) error rejects unhandled and stops the process loudly
  }

  async stop(): Promise<void> {
    this.running = false;
    this.waker?.();
    this.conn?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.states.size === 0) { await this.pause(null); continue; }
        const conn = await this.connection();
        const truncating = this.eligible().filter((s) => s.truncating);
        if (truncating.length > 0) await this.truncateByEpoch(conn, truncating);
        const ready = this.eligible().filter((s) => !s.truncating);
        if (ready.length > 0) await this.fetch(conn, ready);
        else if (truncating.length === 0) await this.pause(this.opts.fetchBackoffMs);
      } catch (e) {
        if (!isExpected(e)) throw e;
        if (!this.running) break;
        this.opts.log.debug('replica fetcher backing off', { leader: this.leaderId, err: (e as Error).message });
        this.conn?.close();
        this.conn = null;
        await this.pause(this.opts.fetchBackoffMs);
      }
    }
    this.conn?.close();
  }

  private eligible(): FetchState[] {
    const now = this.opts.clock.now();
    return [...this.states.values()].filter((s) => s.delayedUntilMs <= now);
  }

  /** Waits `ms` (null: until woken) or until add/stop wakes the loop. */
  private pause(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      let timer: TimerHandle | null = null;
      const done = (): void => {
        if (timer !== null) this.opts.clock.clearTimeout(timer);
        if (this.waker === done) this.waker = null;
        resolve();
      };
      if (ms !== null) timer = this.opts.clock.setTimeout(done, ms);
      this.waker = done;
    });
  }

  private async connection(): Promise<BrokerConnection> {
    if (this.conn !== null && !this.conn.isClosed) return this.conn;
    const leader = this.opts.store.brokers().find((b) => b.id === this.leaderId);
    if (leader === undefined) throw new LeaderUnavailableError(`leader ${this.leaderId} is not registered`);
    const conn = await BrokerConnection.open(leader.host, leader.port, this.opts.clock, `replica-fetcher-${this.opts.brokerId}`, this.opts.socketTimeoutMs);
    if (!this.running) conn.close();
    this.conn = conn;
    return conn;
  }

  private current(s: FetchState): boolean {
    return this.running && this.states.get(s.partition) === s;
  }

  private delay(s: FetchState): void {
    s.delayedUntilMs = this.opts.clock.now() + this.opts.fetchBackoffMs;
  }

  private async truncateByEpoch(conn: BrokerConnection, states: FetchState[]): Promise<void> {
    const asking: FetchState[] = [];
    for (const s of states) {
      const p = s.partition;
      if (p.log.latestEpoch >= 0) { asking.push(s); continue; }
      // No epoch history: an empty log has nothing to truncate; an epoch-less one falls back to its HW (Kafka's rule).
      if (p.logEndOffset > p.logStartOffset) p.truncateTo(p.highWatermark);
      s.truncating = false;
    }
    if (asking.length === 0) return;
    const res = await conn.request(OffsetForLeaderEpochApi, OFFSET_FOR_LEADER_EPOCH_VERSION, {
      replicaId: this.opts.brokerId,
      topics: byTopic(asking, (s) => ({ partition: s.partition.index, currentLeaderEpoch: s.leaderEpoch, leaderEpoch: s.partition.log.latestEpoch })),
    }, this.opts.socketTimeoutMs);
    const byKey = new Map(asking.map((s) => [key(s.partition.topic, s.partition.index), s]));
    for (const t of res.topics) {
      for (const r of t.partitions) {
        const s = byKey.get(key(t.topic, r.partition));
        if (s === undefined || !this.current(s)) continue;
        if (r.errorCode !== ErrorCode.NONE) { this.delay(s); continue; }
        this.applyEpochEndOffset(s, r.leaderEpoch ?? -1, r.endOffset ?? -1);
      }
    }
  }

  /** KIP-279 truncation for one partition given the leader's answer (epoch, end offset). */
  private applyEpochEndOffset(s: FetchState, leaderEpoch: number, leaderEndOffset: number): void {
    const p = s.partition;
    const leo = p.logEndOffset;
    let target: number;
    let done = true;
    if (leaderEpoch < 0 || leaderEndOffset < 0) {
      target = Math.min(p.highWatermark, leo); // the leader knows no epoch <= ours: Kafka's fallback
    } else {
      const ours = p.log.endOffsetForEpoch(leaderEpoch);
      if (ours.epoch < 0) {
        target = Math.min(leaderEndOffset, leo);
      } else if (ours.epoch !== leaderEpoch) {
        target = Math.min(ours.endOffset, leo); // we never saw the leader's epoch: step back and ask again
        done = false;
      } else {
        target = Math.min(ours.endOffset, leaderEndOffset, leo);
      }
    }
    if (target < leo) {
      this.opts.log.info('truncating follower by leader epoch', { topic: p.topic, partition: p.index, from: leo, to: target, leaderEpoch });
      p.truncateTo(target);
    }
    s.truncating = !done;
  }

  private async fetch(conn: BrokerConnection, ready: FetchState[]): Promise<void> {
    const sentOffsets = new Map(ready.map((s) => [s, s.partition.logEndOffset]));
    const request: FetchRequest = {
      replicaId: this.opts.brokerId, maxWaitMs: this.opts.fetchWaitMaxMs, minBytes: 1,
      maxBytes: this.opts.fetchResponseMaxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: byTopic(ready, (s) => ({
        partition: s.partition.index, currentLeaderEpoch: s.leaderEpoch, fetchOffset: sentOffsets.get(s)!,
        lastFetchedEpoch: -1, logStartOffset: s.partition.logStartOffset, partitionMaxBytes: this.opts.fetchMaxBytes,
      })),
      forgottenTopicsData: [], rackId: '',
    };
    const res = await conn.request(FetchApi, REPLICA_FETCH_VERSION, request, this.opts.fetchWaitMaxMs + this.opts.socketTimeoutMs);
    if (res.errorCode !== ErrorCode.NONE) throw new LeaderUnavailableError(`fetch failed with error ${res.errorCode}`);
    const byKey = new Map(ready.map((s) => [key(s.partition.topic, s.partition.index), s]));
    for (const t of res.responses) {
      for (const d of t.partitions) {
        const s = byKey.get(key(t.topic ?? '', d.partitionIndex));
        if (s === undefined || !this.current(s) || s.partition.logEndOffset !== sentOffsets.get(s)) continue;
        this.processPartition(s, d);
      }
    }
  }

  private processPartition(s: FetchState, d: FetchResponsePartitionData): void {
    const p = s.partition;
    switch (d.errorCode) {
      case ErrorCode.NONE:
        try {
          this.appendFetched(s, d.records ?? null);
        } catch (e) {
          if (!(e instanceof StorageError) || e.code === 'INVARIANT_VIOLATION') throw e;
          this.opts.log.warn('follower append failed', { topic: p.topic, partition: p.index, err: e.message });
          this.delay(s);
          return;
        }
        p.updateFollowerHighWatermark(d.highWatermark);
        return;
      case ErrorCode.OFFSET_OUT_OF_RANGE: {
        const leaderStart = d.logStartOffset ?? -1;
        if (leaderStart > p.logEndOffset) {
          this.opts.log.warn('follower below the leader log start: starting over', { topic: p.topic, partition: p.index, offset: leaderStart });
          p.truncateFullyAndStartAt(leaderStart);
        } else {
          s.truncating = true; // ahead of the leader: the epoch check finds the leader's end
          this.delay(s);
        }
        return;
      }
      default:
        // NOT_LEADER_OR_FOLLOWER, FENCED/UNKNOWN_LEADER_EPOCH, UNKNOWN_TOPIC_OR_PARTITION, storage errors:
        // the metadata store will tell us more; retry after a backoff meanwhile.
        this.opts.log.debug('replica fetch partition error', { topic: p.topic, partition: p.index, errorCode: d.errorCode });
        this.delay(s);
    }
  }

  /** Appends the complete batches at or past our log end offset (the leader sends whole batches). */
  private appendFetched(s: FetchState, records: Buffer | null): void {
    if (records === null || records.length === 0) return;
    const p = s.partition;
    const leo = p.logEndOffset;
    let at = 0;
    while (complete(records, at) && lastOffset(records, at) < leo) at += batchSize(records, at);
    let end = at;
    while (complete(records, end)) end += batchSize(records, end);
    if (end === at) return;
    if (baseOffset(records, at) < leo) {
      // A batch straddles our log end: the logs diverged without an epoch change we saw. Re-check.
      this.opts.log.warn('fetched batch overlaps the follower log end', { topic: p.topic, partition: p.index, leo });
      s.truncating = true;
      return;
    }
    p.appendAsFollower(records.subarray(at, end));
  }
}

function complete(records: Buffer, at: number): boolean {
  return at + BATCH.HEADER_SIZE <= records.length && at + batchSize(records, at) <= records.length;
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

function byTopic<T>(states: readonly FetchState[], part: (s: FetchState) => T): { topic: string; partitions: T[] }[] {
  const topics = new Map<string, T[]>();
  for (const s of states) {
    const list = topics.get(s.partition.topic) ?? [];
    list.push(part(s));
    topics.set(s.partition.topic, list);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

function isExpected(e: unknown): boolean {
  if (e instanceof BrokerConnectionError || e instanceof LeaderUnavailableError) return true;
  return e instanceof StorageError && e.code !== 'INVARIANT_VIOLATION';
}
