import { FetchApi } from '@tributary/protocol/generated/index.ts';
import type { FetchResponseFetchableTopicResponse } from '@tributary/protocol/generated/01-fetch.ts';
import { Cluster } from '../cluster.ts';
import { ClientError } from '../errors.ts';
import { kafkaError, METADATA_STALE_CODES } from '../kafka-errors.ts';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../list-offsets.ts';
import { decodeFetchedRecords, type ConsumerRecord } from './record-decoder.ts';

export type { ConsumerRecord, RecordHeader } from './record-decoder.ts';

export interface ConsumerOptions {
  bootstrapServers: string | readonly string[];
  clientId?: string;
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
  autoOffsetReset?: 'earliest' | 'latest' | 'none';
  requestTimeoutMs?: number;
  retries?: number;
  /** Fetched records buffered before fetching stops until `poll` drains them. */
  bufferedRecordsMax?: number;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** Next offset to read; omitted = autoOffsetReset decides. */
  offset?: number;
}

const OFFSET_OUT_OF_RANGE = 1;
const UNSET = -1;

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to fetch; UNSET until reset by autoOffsetReset. */
  position: number;
  /** Bumped on seek, so results of a fetch started before the seek are dropped. */
  epoch: number;
  highWatermark: number;
  paused: boolean;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Assign-based consumer: fetches from each partition's leader with one Fetch in flight per broker,
 * decodes batches and hands records out through `poll()` or `records()`. A group layer can sit on
 * top by calling `assign`/`seek` and reading `position`.
 */
export class Consumer {
  readonly cluster: Cluster;
  private readonly opts: Required<Omit<ConsumerOptions, 'clientId' | 'bootstrapServers'>>;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly fetching = new Set<number>();
  private buffered: ConsumerRecord[][] = [];
  private bufferedCount = 0;
  private error: Error | null = null;
  private waiter: (() => void) | null = null;
  private closed = false;

  constructor(options: ConsumerOptions) {
    this.opts = {
      isolationLevel: options.isolationLevel ?? 'read_uncommitted',
      maxWaitMs: options.maxWaitMs ?? 500,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
      partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024,
      autoOffsetReset: options.autoOffsetReset ?? 'latest',
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      retries: options.retries ?? 5,
      bufferedRecordsMax: options.bufferedRecordsMax ?? 100_000,
    };
    this.cluster = new Cluster({
      bootstrapServers: options.bootstrapServers, clientId: options.clientId,
      requestTimeoutMs: this.opts.requestTimeoutMs + this.opts.maxWaitMs, retries: this.opts.retries,
    });
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  /** Replaces the assignment. Partitions without an offset start per autoOffsetReset. */
  assign(list: readonly TopicPartitionOffset[]): void {
    const next = new Map<string, PartitionState>();
    for (const tp of list) {
      const k = key(tp.topic, tp.partition);
      const prev = this.partitions.get(k);
      const state = prev ?? { topic: tp.topic, partition: tp.partition, position: UNSET, epoch: 0, highWatermark: -1, paused: false };
      if (tp.offset !== undefined) this.setPosition(state, tp.offset);
      next.set(k, state);
    }
    this.partitions.clear();
    for (const [k, s] of next) this.partitions.set(k, s);
    this.dropBuffered((r) => next.has(key(r.topic, r.partition)));
  }

  assignment(): Array<{ topic: string; partition: number }> {
    return [...this.partitions.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  seek(topic: string, partition: number, offset: number): void {
    const s = this.partitions.get(key(topic, partition));
    if (s === undefined) throw new ClientError('INVALID_ARGUMENT', `${topic}-${partition} is not assigned`);
    this.setPosition(s, offset);
    this.dropBuffered((r) => r.topic !== topic || r.partition !== partition);
  }

  private setPosition(s: PartitionState, offset: number): void {
    if (!Number.isInteger(offset) || offset < 0) throw new ClientError('INVALID_ARGUMENT', `offset ${offset} must be a non-negative integer`);
    s.position = offset;
    s.epoch++;
  }

  /** Next offset this consumer will return for the partition (records handed out so far + 1). */
  position(topic: string, partition: number): number | undefined {
    const s = this.partitions.get(key(topic, partition));
    if (s === undefined || s.position === UNSET) return undefined;
    // Buffered but not yet returned records are ahead of what the application has seen.
    for (const batch of this.buffered) {
      if (batch.length > 0 && batch[0]!.topic === topic && batch[0]!.partition === partition) return batch[0]!.offset;
    }
    return s.position;
  }

  /** High watermark from the latest fetch of the partition (-1 before any). */
  highWatermark(topic: string, partition: number): number {
    return this.partitions.get(key(topic, partition))?.highWatermark ?? -1;
  }

  pause(topic: string, partition: number): void {
    const s = this.partitions.get(key(topic, partition));
    if (s !== undefined) s.paused = true;
    this.dropBuffered((r) => r.topic !== topic || r.partition !== partition, true);
  }

  resume(topic: string, partition: number): void {
    const s = this.partitions.get(key(topic, partition));
    if (s !== undefined) s.paused = false;
    this.kick();
  }

  private dropBuffered(keep: (r: ConsumerRecord) => boolean, rewind = false): void {
    const kept: ConsumerRecord[][] = [];
    for (const batch of this.buffered) {
      if (batch.length === 0 || keep(batch[0]!)) kept.push(batch);
      else {
        this.bufferedCount -= batch.length;
        if (rewind) {
          const s = this.partitions.get(key(batch[0]!.topic, batch[0]!.partition));
          if (s !== undefined && batch[0]!.offset < s.position) { s.position = batch[0]!.offset; s.epoch++; }
        }
      }
    }
    this.buffered = kept;
  }

  /**
   * Returns the records fetched so far, waiting up to about maxWaitMs for some if none are
   * buffered. An empty array means nothing arrived in time. Fetch errors surface here.
   */
  async poll(): Promise<ConsumerRecord[]> {
    if (this.closed) throw new ClientError('CLIENT_CLOSED', 'consumer is closed');
    if (this.bufferedCount === 0 && this.error === null) {
      this.kick();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { this.waiter = null; resolve(); }, this.opts.maxWaitMs + 100);
        this.waiter = () => { clearTimeout(timer); this.waiter = null; resolve(); };
      });
    }
    if (this.error !== null) {
      const err = this.error;
      this.error = null;
      throw err;
    }
    const out = this.buffered.length === 1 ? this.buffered[0]! : this.buffered.flat();
    this.buffered = [];
    this.bufferedCount = 0;
    this.kick();
    return out;
  }

  /** Async iterator over polled record arrays until `close()`. */
  async *batches(): AsyncGenerator<ConsumerRecord[]> {
    while (!this.closed) {
      const records = await this.poll();
      if (records.length > 0) yield records;
    }
  }

  /** Async iterator over single records until `close()` (convenience; `batches()` is cheaper). */
  async *records(): AsyncGenerator<ConsumerRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  private wake(): void {
    this.waiter?.();
  }

  /** Ends a `poll()` that is waiting for records now (it returns what it has, maybe nothing). */
  wakeup(): void {
    this.wake();
  }

  /** Starts a fetch for each broker that leads an assigned partition and has none in flight. */
  private kick(): void {
    if (this.closed || this.bufferedCount >= this.opts.bufferedRecordsMax) return;
    const byLeader = new Map<number, PartitionState[]>();
    const needReset: PartitionState[] = [];
    let needMetadata = false;
    for (const s of this.partitions.values()) {
      if (s.paused) continue;
      if (s.position === UNSET) { needReset.push(s); continue; }
      const leader = this.cluster.leaderFor(s.topic, s.partition);
      if (leader < 0) { needMetadata = true; continue; }
      if (this.fetching.has(leader)) continue;
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(s);
    }
    if (needReset.length > 0 || needMetadata) void this.prepare(needReset, needMetadata);
    for (const [leader, states] of byLeader) void this.fetchFrom(leader, states);
  }

  private preparing = false;
  /** Loads metadata for assigned topics and resolves UNSET positions via ListOffsets. */
  private async prepare(needReset: PartitionState[], needMetadata: boolean): Promise<void> {
    if (this.preparing) return;
    this.preparing = true;
    try {
      const topics = [...new Set([...this.partitions.values()].map((s) => s.topic))];
      if (needMetadata) await this.cluster.refreshMetadata(topics);
      await this.cluster.ensureTopics(topics);
      if (needReset.length > 0) await this.resetOffsets(needReset);
    } catch (err) {
      this.fail(err as Error);
    } finally {
      this.preparing = false;
    }
    if (!this.closed && this.error === null) this.kick();
  }

  private async resetOffsets(states: PartitionState[]): Promise<void> {
    const policy = this.opts.autoOffsetReset;
    if (policy === 'none') throw new ClientError('INVALID_ARGUMENT', `no offset for ${states.map((s) => `${s.topic}-${s.partition}`).join(', ')} and autoOffsetReset is none`);
    const timestamp = policy === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP;
    const epochs = states.map((s) => s.epoch);
    const answers = await listOffsets(this.cluster, states.map((s) => ({ topic: s.topic, partition: s.partition, timestamp })), this.isolation());
    for (let i = 0; i < states.length; i++) {
      const s = states[i]!;
      const a = answers.find((x) => x.topic === s.topic && x.partition === s.partition);
      if (a !== undefined && s.epoch === epochs[i]) { s.position = Math.max(0, a.offset); s.epoch++; }
    }
  }

  private isolation(): number {
    return this.opts.isolationLevel === 'read_committed' ? 1 : 0;
  }

  private async fetchFrom(leader: number, states: PartitionState[]): Promise<void> {
    this.fetching.add(leader);
    const epochs = new Map(states.map((s) => [s, s.epoch]));
    try {
      const conn = await this.cluster.connectionTo(leader);
      const topics = new Map<string, Array<{ partition: number; currentLeaderEpoch: number; fetchOffset: number; lastFetchedEpoch: number; logStartOffset: number; partitionMaxBytes: number }>>();
      for (const s of states) {
        let list = topics.get(s.topic);
        if (list === undefined) topics.set(s.topic, (list = []));
        list.push({ partition: s.partition, currentLeaderEpoch: -1, fetchOffset: s.position, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: this.opts.partitionMaxBytes });
      }
      const res = await conn.send(FetchApi, {
        replicaId: -1, maxWaitMs: this.opts.maxWaitMs, minBytes: this.opts.minBytes, maxBytes: this.opts.maxBytes,
        isolationLevel: this.isolation(), sessionId: 0, sessionEpoch: -1,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
        forgottenTopicsData: [], rackId: '',
      }, { timeoutMs: this.opts.requestTimeoutMs + this.opts.maxWaitMs });
      if (res.errorCode !== undefined && res.errorCode !== 0) throw kafkaError(res.errorCode, 'fetch');
      this.fetchFailures = 0;
      this.handleFetch(res.responses, epochs);
    } catch (err) {
      if (!this.closed) await this.onFetchFailure(err as Error);
    } finally {
      this.fetching.delete(leader);
    }
    if (!this.closed && this.error === null) this.kick();
  }

  private handleFetch(
    responses: readonly FetchResponseFetchableTopicResponse[],
    epochs: Map<PartitionState, number>,
  ): void {
    let stale = false;
    for (const t of responses) {
      for (const p of t.partitions) {
        const s = this.partitions.get(key(t.topic ?? '', p.partitionIndex));
        if (s === undefined || epochs.get(s) !== s.epoch) continue; // seeked or unassigned meanwhile
        if (p.errorCode === OFFSET_OUT_OF_RANGE && this.opts.autoOffsetReset !== 'none') {
          s.position = UNSET; // kick() resets it with ListOffsets
          continue;
        }
        if (p.errorCode !== 0) {
          if (METADATA_STALE_CODES.has(p.errorCode)) { stale = true; continue; }
          this.fail(kafkaError(p.errorCode, `fetch ${s.topic}-${s.partition} at ${s.position}`));
          continue;
        }
        s.highWatermark = p.highWatermark;
        if (p.records === null || p.records === undefined || p.records.length === 0) continue;
        const aborted = this.opts.isolationLevel === 'read_committed' ? p.abortedTransactions ?? null : null;
        const { records, nextOffset } = decodeFetchedRecords(s.topic, s.partition, p.records, s.position, aborted);
        if (nextOffset > s.position) s.position = nextOffset;
        if (records.length > 0) {
          this.buffered.push(records);
          this.bufferedCount += records.length;
        }
      }
    }
    if (stale) this.cluster.refreshMetadata().catch(() => undefined).finally(() => this.kick());
    if (this.bufferedCount > 0) this.wake();
  }

  private fetchFailures = 0;
  private async onFetchFailure(err: Error): Promise<void> {
    const code = (err as { code?: unknown }).code;
    // NO_BROKERS here means the cached leader has left the cluster ("broker N is not in the
    // metadata"): like a lost connection, a metadata refresh finds the new leader.
    const transient = code === 'CONNECTION_CLOSED' || code === 'REQUEST_TIMEOUT' || code === 'CONNECT_FAILED' || code === 'NO_BROKERS';
    if (!transient || ++this.fetchFailures > this.opts.retries) {
      this.fail(err);
      return;
    }
    await this.cluster.refreshMetadata().catch(() => undefined);
  }

  private fail(err: Error): void {
    this.error ??= err;
    this.wake();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    this.cluster.close();
  }
}
