import { ProduceApi } from '@tributary/protocol/generated/index.ts';
import { CompressionType } from '@tributary/protocol/records/compression.ts';
import { Cluster } from '../cluster.ts';
import { ClientError } from '../errors.ts';
import { isTransient, kafkaError, METADATA_STALE_CODES, isRetriable } from '../kafka-errors.ts';
import type { Connection } from '../network/connection.ts';
import { Accumulator, type PartitionBatch, type RecordMetadata, type SendTracker } from './accumulator.ts';
import type { BytesLike, RecordHeaders } from './batch-builder.ts';
import { DefaultPartitioner, type Partitioner } from './partitioner.ts';

export type { RecordMetadata } from './accumulator.ts';
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

const COMPRESSION: Record<CompressionName, CompressionType> = {
  none: CompressionType.None, gzip: CompressionType.Gzip, snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4, zstd: CompressionType.Zstd,
};

export interface ProducerOptions {
  bootstrapServers: string | readonly string[];
  clientId?: string;
  /** -1 (all in-sync replicas, default), 1 (leader) or 0 (no response). */
  acks?: -1 | 0 | 1;
  compression?: CompressionName;
  lingerMs?: number;
  /** Uncompressed size at which a partition's batch is closed. */
  batchBytes?: number;
  /** Upper bound of one Produce request (several batches for one broker). */
  maxRequestBytes?: number;
  /** Produce requests in flight per broker. */
  maxInFlight?: number;
  requestTimeoutMs?: number;
  /** Retries per batch for retriable errors. */
  retries?: number;
  retryBackoffMs?: number;
  /** Bytes buffered (accumulating or in flight) before `send` waits. */
  bufferBytesMax?: number;
  partitioner?: Partitioner;
  allowAutoTopicCreation?: boolean;
}

export interface ProducerMessage {
  key?: BytesLike;
  value: BytesLike;
  headers?: RecordHeaders;
  partition?: number;
  /** Milliseconds since the epoch; defaults to now. */
  timestamp?: number;
}

export interface ProducerRecord {
  topic: string;
  messages: readonly ProducerMessage[];
}

interface InFlightRequest {
  readonly batches: Map<string, PartitionBatch>;
  readonly bytes: number;
}

/**
 * Batching producer: records are encoded into per-partition batches as they are sent, batches
 * close when full or after `lingerMs`, and each broker gets one Produce request carrying many
 * partitions, with up to `maxInFlight` requests outstanding. One promise per `send` call.
 */
export class Producer {
  readonly cluster: Cluster;
  private readonly acks: -1 | 0 | 1;
  private readonly lingerMs: number;
  private readonly maxRequestBytes: number;
  private readonly maxInFlight: number;
  private readonly requestTimeoutMs: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly bufferBytesMax: number;
  private readonly partitioner: Partitioner;
  private readonly accumulator: Accumulator;
  private readonly inFlight = new Map<number, number>();
  private lingerTimer: NodeJS.Timeout | null = null;
  private drainScheduled = false;
  private bufferedBytes = 0;
  private releasedBatches = 0;
  private readonly spaceWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(options: ProducerOptions) {
    this.acks = options.acks ?? -1;
    this.lingerMs = options.lingerMs ?? 5;
    this.maxRequestBytes = options.maxRequestBytes ?? 1024 * 1024;
    this.maxInFlight = options.maxInFlight ?? 5;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retries = options.retries ?? 5;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.bufferBytesMax = options.bufferBytesMax ?? 32 * 1024 * 1024;
    this.partitioner = options.partitioner ?? new DefaultPartitioner();
    const compression = COMPRESSION[options.compression ?? 'none'];
    if (compression === undefined) throw new ClientError('INVALID_ARGUMENT', `unknown compression ${String(options.compression)}`);
    this.cluster = new Cluster({
      bootstrapServers: options.bootstrapServers, clientId: options.clientId,
      requestTimeoutMs: this.requestTimeoutMs + 5_000, retries: this.retries, retryBackoffMs: this.retryBackoffMs,
      maxInFlight: this.maxInFlight + 2, allowAutoTopicCreation: options.allowAutoTopicCreation ?? true,
    });
    this.accumulator = new Accumulator({
      compression,
      batchBytes: options.batchBytes ?? 16384,
      onBatchClosed: (topic, partition) => {
        const n = this.cluster.topic(topic)?.partitions.length ?? 1;
        this.partitioner.onNewBatch?.(topic, partition, n);
        this.scheduleDrain();
      },
    });
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  /** Queues the messages; resolves with one RecordMetadata per message, in order, once all are acked. */
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (this.closed) throw new ClientError('CLIENT_CLOSED', 'producer is closed');
    const { topic, messages } = record;
    if (messages.length === 0) return [];
    await this.cluster.ensureTopics([topic]);
    while (this.bufferedBytes >= this.bufferBytesMax) await new Promise<void>((r) => this.spaceWaiters.push(r));
    const numPartitions = this.cluster.topic(topic)!.partitions.length;
    return new Promise<RecordMetadata[]>((resolve, reject) => {
      const tracker: SendTracker = { results: new Array(messages.length), remaining: messages.length, done: false, resolve, reject };
      const now = Date.now();
      try {
        for (let i = 0; i < messages.length; i++) this.appendOne(topic, numPartitions, messages[i]!, tracker, i, now);
      } catch (err) {
        tracker.done = true;
        reject(err as Error);
      }
      this.startLinger();
    });
  }

  private appendOne(topic: string, numPartitions: number, m: ProducerMessage, tracker: SendTracker, index: number, now: number): void {
    const key = m.key ?? null;
    let partition = m.partition;
    if (partition === undefined) {
      const keyBytes = key === null ? null : typeof key === 'string' ? Buffer.from(key) : key;
      partition = this.partitioner.partition(topic, keyBytes, numPartitions);
    } else if (!Number.isInteger(partition) || partition < 0 || partition >= numPartitions) {
      throw new ClientError('INVALID_ARGUMENT', `partition ${partition} out of range for ${topic} (${numPartitions} partitions)`);
    }
    this.bufferedBytes += this.accumulator.append(topic, partition, key, m.value, m.headers, m.timestamp ?? now, tracker, index, now);
  }

  private get outstandingBatches(): number {
    return this.accumulator.createdBatches - this.releasedBatches;
  }

  private startLinger(): void {
    if (this.lingerTimer !== null || this.accumulator.openBatches === 0) return;
    if (this.lingerMs <= 0) {
      this.accumulator.closeAll();
      return;
    }
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      this.accumulator.closeAll();
      this.drain();
    }, this.lingerMs);
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /** Sends ready batches, one request per broker with free in-flight slots. */
  private drain(): void {
    const ready = this.accumulator.ready;
    if (ready.length === 0) return;
    const byLeader = new Map<number, PartitionBatch[]>();
    const keep: PartitionBatch[] = [];
    let needMetadata = false;
    for (const batch of ready) {
      const leader = this.cluster.leaderFor(batch.topic, batch.partition);
      if (leader < 0) {
        needMetadata = true;
        keep.push(batch);
        continue;
      }
      if ((this.inFlight.get(leader) ?? 0) >= this.maxInFlight) {
        keep.push(batch);
        continue;
      }
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(batch);
    }
    ready.length = 0;
    for (const [leader, batches] of byLeader) {
      const leftover = this.sendTo(leader, batches);
      for (const b of leftover) keep.push(b);
    }
    for (const b of keep) ready.push(b);
    if (needMetadata) this.refreshThenDrain();
  }

  /** Builds one request from `batches` (bounded by maxRequestBytes, one batch per partition); returns the rest. */
  private sendTo(leader: number, batches: PartitionBatch[]): PartitionBatch[] {
    const taken = new Map<string, PartitionBatch>();
    const rest: PartitionBatch[] = [];
    let bytes = 0;
    for (const b of batches) {
      const key = `${b.topic}\u0000${b.partition}`;
      const size = b.bytes().length;
      if (taken.has(key) || (taken.size > 0 && bytes + size > this.maxRequestBytes)) {
        rest.push(b);
        continue;
      }
      taken.set(key, b);
      bytes += size;
    }
    this.inFlight.set(leader, (this.inFlight.get(leader) ?? 0) + 1);
    const req: InFlightRequest = { batches: taken, bytes };
    void this.produce(leader, req);
    return rest;
  }

  private async produce(leader: number, req: InFlightRequest): Promise<void> {
    const topicData = new Map<string, Array<{ index: number; records: Buffer }>>();
    for (const b of req.batches.values()) {
      let list = topicData.get(b.topic);
      if (list === undefined) topicData.set(b.topic, (list = []));
      list.push({ index: b.partition, records: b.bytes() });
    }
    const body = {
      transactionalId: null, acks: this.acks, timeoutMs: this.requestTimeoutMs,
      topicData: [...topicData].map(([name, partitionData]) => ({ name, partitionData })),
    };
    try {
      const conn: Connection = await this.cluster.connectionTo(leader);
      if (this.acks === 0) {
        await conn.sendNoResponse(ProduceApi, body);
        for (const b of req.batches.values()) this.finishBatch(b, -1);
      } else {
        const res = await conn.send(ProduceApi, body);
        this.handleResponse(req, res.responses);
      }
    } catch (err) {
      for (const b of req.batches.values()) this.retryOrFail(b, err as Error);
    } finally {
      this.inFlight.set(leader, (this.inFlight.get(leader) ?? 1) - 1);
      this.drain();
    }
  }

  private handleResponse(
    req: InFlightRequest,
    responses: ReadonlyArray<{ name: string; partitionResponses: ReadonlyArray<{ index: number; errorCode: number; baseOffset: number; errorMessage?: string | null }> }>,
  ): void {
    for (const t of responses) {
      for (const p of t.partitionResponses) {
        const key = `${t.name}\u0000${p.index}`;
        const batch = req.batches.get(key);
        if (batch === undefined) continue;
        req.batches.delete(key);
        if (p.errorCode === 0) this.finishBatch(batch, p.baseOffset);
        else this.retryOrFail(batch, kafkaError(p.errorCode, `produce to ${t.name}-${p.index}`, p.errorMessage));
      }
    }
    for (const b of req.batches.values()) {
      this.retryOrFail(b, new ClientError('PROTOCOL_VIOLATION', `no produce response for ${b.topic}-${b.partition}`));
    }
  }

  private finishBatch(batch: PartitionBatch, baseOffset: number): void {
    batch.complete(baseOffset);
    this.release(batch);
  }

  private retryOrFail(batch: PartitionBatch, err: Error): void {
    const code = (err as { code?: unknown }).code;
    const retriable = isTransient(err) || (typeof code === 'number' && isRetriable(code));
    if (!retriable || batch.attempts >= this.retries || this.closed) {
      batch.fail(err);
      this.release(batch);
      return;
    }
    batch.attempts++;
    const stale = typeof code === 'number' ? METADATA_STALE_CODES.has(code) : true;
    const backoffMs = Math.min(this.retryBackoffMs * 2 ** (batch.attempts - 1), 1000);
    setTimeout(() => {
      this.accumulator.requeue(batch);
      if (stale) this.refreshThenDrain();
      else this.drain();
    }, backoffMs);
  }

  private refreshing = false;
  private refreshThenDrain(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    this.cluster.refreshMetadata().catch(() => undefined).finally(() => {
      this.refreshing = false;
      this.failLeaderless();
      this.drain();
    });
  }

  /** Batches whose partition still has no leader after a refresh use up one attempt each. */
  private failLeaderless(): void {
    const ready = this.accumulator.ready;
    for (let i = ready.length - 1; i >= 0; i--) {
      const b = ready[i]!;
      if (this.cluster.leaderFor(b.topic, b.partition) >= 0) continue;
      ready.splice(i, 1);
      this.retryOrFail(b, kafkaError(5, `no leader for ${b.topic}-${b.partition}`));
    }
  }

  private release(batch: PartitionBatch): void {
    this.releasedBatches++;
    this.bufferedBytes -= batch.builder.sizeBytes;
    if (this.bufferedBytes < this.bufferBytesMax) for (const w of this.spaceWaiters.splice(0)) w();
    if (this.outstandingBatches === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Sends everything buffered now and waits until every batch is acknowledged or failed. */
  async flush(): Promise<void> {
    if (this.lingerTimer !== null) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    this.accumulator.closeAll();
    this.drain();
    if (this.outstandingBatches === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      for (const b of this.accumulator.drainAll()) b.fail(new ClientError('CLIENT_CLOSED', 'producer closed'));
      this.cluster.close();
    }
  }
}
