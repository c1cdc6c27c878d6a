import type { CompressionType } from '@tributary/protocol/records/compression.ts';
import { BatchBuilder, type BytesLike, type RecordHeaders } from './batch-builder.ts';

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Offset assigned by the broker; -1 with acks=0. */
  offset: number;
}

/** One `send()` call: resolves once, when all its records are acknowledged. */
export interface SendTracker {
  readonly results: RecordMetadata[];
  remaining: number;
  done: boolean;
  resolve(results: RecordMetadata[]): void;
  reject(err: Error): void;
}

/** Records for one partition, encoded as they arrive, plus who to tell when they are acked. */
export class PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly builder: BatchBuilder;
  /** Per record: the send call it belongs to and its index there. */
  readonly trackers: SendTracker[] = [];
  readonly indices: number[] = [];
  readonly createdMs: number;
  attempts = 0;
  private encoded: Buffer | null = null;

  constructor(topic: string, partition: number, compression: CompressionType, initialBytes: number, nowMs: number) {
    this.topic = topic;
    this.partition = partition;
    this.builder = new BatchBuilder(compression, initialBytes);
    this.createdMs = nowMs;
  }

  get recordCount(): number { return this.builder.recordCount; }

  /** Encoded bytes, built once and reused across retries. */
  bytes(): Buffer {
    if (this.encoded === null) this.encoded = this.builder.finish();
    return this.encoded;
  }

  /** Marks every record acknowledged at baseOffset + i. */
  complete(baseOffset: number): void {
    const { trackers, indices } = this;
    for (let i = 0; i < trackers.length; i++) {
      const t = trackers[i]!;
      if (t.done) continue;
      t.results[indices[i]!] = { topic: this.topic, partition: this.partition, offset: baseOffset < 0 ? -1 : baseOffset + i };
      if (--t.remaining === 0) {
        t.done = true;
        t.resolve(t.results);
      }
    }
  }

  fail(err: Error): void {
    for (const t of this.trackers) {
      if (t.done) continue;
      t.done = true;
      t.reject(err);
    }
  }
}

export interface AccumulatorOptions {
  compression: CompressionType;
  /** A partition's batch is closed (ready to send) at this many uncompressed bytes. */
  batchBytes: number;
  /** Called when a batch closes (full or lingered), for the sticky partitioner. */
  onBatchClosed(topic: string, partition: number): void;
}

/**
 * Open batches keyed by topic and partition. A batch closes when full; `closeAll` closes the rest
 * (linger expiry or flush). Closed batches wait in `ready` in creation order.
 */
export class Accumulator {
  private readonly open = new Map<string, Map<number, PartitionBatch>>();
  readonly ready: PartitionBatch[] = [];
  private openCount = 0;
  private readonly opts: AccumulatorOptions;

  constructor(opts: AccumulatorOptions) {
    this.opts = opts;
  }

  get openBatches(): number { return this.openCount; }
  /** Batches ever created; with the producer's released count this gives batches outstanding. */
  createdBatches = 0;

  append(
    topic: string, partition: number, key: BytesLike, value: BytesLike, headers: RecordHeaders | undefined,
    timestamp: number, tracker: SendTracker, index: number, nowMs: number,
  ): number {
    let byPartition = this.open.get(topic);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.open.set(topic, byPartition);
    }
    let batch = byPartition.get(partition);
    if (batch !== undefined && batch.recordCount > 0
      && batch.builder.sizeBytes + BatchBuilder.estimateRecordBytes(key, value, headers) > this.opts.batchBytes) {
      this.closeBatch(byPartition, batch);
      batch = undefined;
    }
    if (batch === undefined) {
      const initial = Math.min(this.opts.batchBytes, 64 * 1024) + BatchBuilder.estimateRecordBytes(key, value, headers);
      batch = new PartitionBatch(topic, partition, this.opts.compression, initial, nowMs);
      byPartition.set(partition, batch);
      this.openCount++;
      this.createdBatches++;
    }
    const sizeBefore = batch.recordCount === 0 ? 0 : batch.builder.sizeBytes;
    batch.builder.append(key, value, headers, timestamp);
    const added = batch.builder.sizeBytes - sizeBefore;
    batch.trackers.push(tracker);
    batch.indices.push(index);
    if (batch.builder.sizeBytes >= this.opts.batchBytes) this.closeBatch(byPartition, batch);
    return added;
  }

  /** A batch handed back for a retry goes to the front so partition order suffers least. */
  requeue(batch: PartitionBatch): void {
    this.ready.unshift(batch);
  }

  private closeBatch(byPartition: Map<number, PartitionBatch>, batch: PartitionBatch): void {
    byPartition.delete(batch.partition);
    this.openCount--;
    this.ready.push(batch);
    this.opts.onBatchClosed(batch.topic, batch.partition);
  }

  /** Closes every open batch (linger expired, or flush). */
  closeAll(): void {
    for (const byPartition of this.open.values()) {
      for (const batch of [...byPartition.values()]) this.closeBatch(byPartition, batch);
    }
  }

  /** Removes and returns every open and ready batch (used when closing with an error). */
  drainAll(): PartitionBatch[] {
    this.closeAll();
    return this.ready.splice(0, this.ready.length);
  }
}
