import { Admin, Consumer, KafkaError, Producer, type ConsumerRecord } from '@tributary/client';
import { errors } from '../server/errors.ts';
import { decodeRecord } from './records.ts';
import { RegistryState } from './state.ts';

const TOPIC_ALREADY_EXISTS = 36;
/** How long a write or a catch-up may wait for the reader (Confluent's kafkastore.timeout.ms). */
const STORE_TIMEOUT_MS = 10_000;
/** Confluent's default replication factor for `_schemas`, capped at the live brokers. */
const DEFAULT_REPLICATION_FACTOR = 3;

export interface KafkaStoreOptions {
  bootstrapServers: string;
  topic: string;
  replicationFactor?: number;
  clientId?: string;
  timeoutMs?: number;
  onError?: (err: unknown) => void;
}

interface Waiter { offset: number; resolve: () => void; reject: (e: unknown) => void; timer: NodeJS.Timeout }

/**
 * The `_schemas` topic as the registry's log: one partition, compacted. A reader loop applies
 * every record in offset order to `state`; a write is acknowledged only once the producer has it
 * acked (acks=all) and the reader has applied that offset, so a write is visible to the very
 * next read on this instance, and state is always exactly "the topic up to some offset".
 */
export class KafkaStore {
  readonly state = new RegistryState();
  readonly topic: string;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private readonly timeoutMs: number;
  /** Next offset to apply (= last applied + 1). */
  private position = 0;
  private waiters: Waiter[] = [];
  private readerLoop: Promise<void> | null = null;
  private closed = false;
  clusterId: string | null = null;

  constructor(private readonly opts: KafkaStoreOptions) {
    this.topic = opts.topic;
    this.timeoutMs = opts.timeoutMs ?? STORE_TIMEOUT_MS;
    const clientId = opts.clientId ?? 'schema-registry';
    this.admin = new Admin({ bootstrapServers: opts.bootstrapServers, clientId });
    this.producer = new Producer({ bootstrapServers: opts.bootstrapServers, clientId, acks: -1, lingerMs: 0, allowAutoTopicCreation: false });
    this.consumer = new Consumer({ bootstrapServers: opts.bootstrapServers, clientId, autoOffsetReset: 'earliest', maxWaitMs: 500 });
  }

  /** Creates the topic if missing, checks it, and replays it to its end before resolving. */
  async start(): Promise<void> {
    await this.admin.connect();
    const cluster = await this.admin.describeCluster();
    this.clusterId = cluster.clusterId;
    const rf = this.opts.replicationFactor ?? Math.min(DEFAULT_REPLICATION_FACTOR, Math.max(1, cluster.brokers.length));
    try {
      await this.admin.createTopics([{ topic: this.topic, numPartitions: 1, replicationFactor: rf, configs: { 'cleanup.policy': 'compact' } }]);
    } catch (err) {
      if (!(err instanceof KafkaError && err.code === TOPIC_ALREADY_EXISTS)) throw err;
    }
    const [desc] = await this.admin.describeTopics([this.topic]);
    if (desc === undefined || desc.partitions.length !== 1) {
      throw new Error(`the schemas topic ${this.topic} must have exactly 1 partition, found ${desc?.partitions.length ?? 0}`);
    }
    await this.producer.connect();
    await this.consumer.connect();
    this.consumer.assign([{ topic: this.topic, partition: 0, offset: 0 }]);
    this.readerLoop = this.readLoop();
    await this.catchUp();
  }

  /** Waits until the reader has applied everything in the topic as of now. */
  async catchUp(): Promise<void> {
    const [end] = await this.admin.listOffsets([{ topic: this.topic, partition: 0, spec: 'latest' }]);
    const endOffset = end?.offset ?? 0;
    if (endOffset > 0) await this.waitApplied(endOffset - 1);
  }

  /** Appends records (key, value-or-tombstone) and waits until the reader has applied them. */
  async write(records: ReadonlyArray<{ key: string; value: string | null }>): Promise<void> {
    if (records.length === 0) return;
    let last = -1;
    try {
      const metas = await this.producer.send({ topic: this.topic, messages: records.map((r) => ({ key: r.key, value: r.value, partition: 0 })) });
      for (const m of metas) last = Math.max(last, m.offset);
    } catch (err) {
      throw errors.storeError(`Error while writing to the schemas topic: ${(err as Error).message}`, err);
    }
    await this.waitApplied(last);
  }

  private waitApplied(offset: number): Promise<void> {
    if (this.position > offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(errors.operationTimeout(`Timed out waiting for the schemas topic reader to reach offset ${offset}`));
      }, this.timeoutMs);
      this.waiters.push({ offset, resolve, reject, timer });
    });
  }

  private async readLoop(): Promise<void> {
    while (!this.closed) {
      let batch: ConsumerRecord[];
      try {
        batch = await this.consumer.poll();
      } catch (err) {
        if (this.closed) return;
        this.opts.onError?.(err);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const rec of batch) this.applyRecord(rec);
      if (batch.length > 0) this.release();
    }
  }

  private applyRecord(rec: ConsumerRecord): void {
    if (rec.offset < this.position) return;
    if (rec.key !== null) {
      try {
        this.state.apply(decodeRecord(rec.key.toString('utf8'), rec.value === null ? null : rec.value.toString('utf8')));
      } catch (err) {
        this.state.skipped++;
        this.opts.onError?.(err);
      }
    }
    this.position = rec.offset + 1;
  }

  private release(): void {
    const ready = this.waiters.filter((w) => w.offset < this.position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.offset >= this.position);
    for (const w of ready) { clearTimeout(w.timer); w.resolve(); }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.consumer.wakeup();
    for (const w of this.waiters) { clearTimeout(w.timer); w.reject(errors.storeError('the registry is shutting down')); }
    this.waiters = [];
    await Promise.allSettled([this.producer.close(), this.consumer.close(), this.admin.close()]);
    await this.readerLoop?.catch(() => undefined);
  }
}
