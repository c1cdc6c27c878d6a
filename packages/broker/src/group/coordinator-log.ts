/**
 * The group coordinator's view of `__consumer_offsets`: create it when first needed, append
 * records to a partition and wait for the high watermark to pass them (acks=all), and read a
 * partition from its start for loading. `ReplicaCoordinatorLog` is the broker's implementation
 * over TopicManager/ReplicaManager; unit tests use an in-memory one.
 */
import { decodeRecordBatches, encodeRecordBatch, type KafkaRecord, type RecordInput } from '@tributary/protocol';
import { StorageError, type Clock } from '@tributary/storage';
import type { BrokerConfig } from '../config/index.ts';
import { ErrorCode } from '../error-codes.ts';
import { waitForPartitions } from '../handlers/wait-for.ts';
import type { Logger } from '../logger.ts';
import { CONSUMER_OFFSETS_TOPIC, type ReplicaManager, type TopicManager } from '../replica/index.ts';

export interface CoordinatorLog {
  readonly partitionCount: number;
  /** Creates the topic if missing; NONE or COORDINATOR_NOT_AVAILABLE. */
  ensureTopic(): Promise<number>;
  /** Partitions of the topic this broker leads (empty before the topic exists). */
  ledPartitions(): number[];
  isLeader(partition: number): boolean;
  /** Appends the records as one batch; resolves to an error code once replicated (or failed). */
  append(partition: number, records: readonly RecordInput[]): Promise<number>;
  /** Records of the partition from its start up to the high watermark, in chunks. */
  read(partition: number): AsyncIterable<readonly KafkaRecord[]>;
}

/** Bytes of __consumer_offsets read per loading step (offsets.load.buffer.size). */
export class ReplicaCoordinatorLog implements CoordinatorLog {
  readonly partitionCount: number;
  private readonly config: BrokerConfig;
  private readonly topics: TopicManager;
  private readonly replicas: ReplicaManager;
  private readonly clock: Clock;
  private readonly log: Logger;
  private creating: Promise<number> | null = null;

  constructor(config: BrokerConfig, topics: TopicManager, replicas: ReplicaManager, clock: Clock, log: Logger) {
    this.config = config;
    this.topics = topics;
    this.replicas = replicas;
    this.clock = clock;
    this.log = log;
    this.partitionCount = config.int('offsets.topic.num.partitions');
  }

  ensureTopic(): Promise<number> {
    if (this.replicas.partition(CONSUMER_OFFSETS_TOPIC, 0) !== undefined) return Promise.resolve(ErrorCode.NONE);
    this.creating ??= this.create().finally(() => { this.creating = null; });
    return this.creating;
  }

  private async create(): Promise<number> {
    const r = await this.topics.createTopic({
      name: CONSUMER_OFFSETS_TOPIC,
      numPartitions: this.partitionCount,
      replicationFactor: this.config.int('offsets.topic.replication.factor'),
      configs: {
        'cleanup.policy': 'compact', 'compression.type': 'producer',
        'segment.bytes': String(this.config.int('offsets.topic.segment.bytes')),
      },
    });
    if (r.ok || r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return ErrorCode.NONE;
    this.log.warn('could not create __consumer_offsets', { error: r.message });
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  ledPartitions(): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.partitionCount; p++) if (this.isLeader(p)) out.push(p);
    return out;
  }

  isLeader(partition: number): boolean {
    return this.replicas.partition(CONSUMER_OFFSETS_TOPIC, partition)?.isLeader ?? false;
  }

  async append(partition: number, records: readonly RecordInput[]): Promise<number> {
    const p = this.replicas.partition(CONSUMER_OFFSETS_TOPIC, partition);
    if (p === undefined || !p.isLeader) return ErrorCode.NOT_COORDINATOR;
    let required: number;
    try {
      const now = this.clock.now();
      const batch = encodeRecordBatch({ records: records.map((r) => ({ ...r, timestamp: now })), now });
      required = p.appendAsLeader(batch).lastOffset + 1;
    } catch (e) {
      if (!(e instanceof StorageError)) throw e;
      this.log.error('__consumer_offsets append failed', { partition, code: e.code, err: e.message });
      return e.code === 'LOG_CLOSED' ? ErrorCode.NOT_COORDINATOR : ErrorCode.UNKNOWN_SERVER_ERROR;
    }
    const ok = await waitForPartitions(this.clock, [p], this.config.int('offsets.commit.timeout.ms'), () => p.highWatermark >= required);
    return ok ? ErrorCode.NONE : ErrorCode.REQUEST_TIMED_OUT;
  }

  async *read(partition: number): AsyncIterable<readonly KafkaRecord[]> {
    const p = this.replicas.partition(CONSUMER_OFFSETS_TOPIC, partition);
    if (p === undefined) return;
    const maxBytes = this.config.int('offsets.load.buffer.size');
    let offset = p.logStartOffset;
    while (offset < p.highWatermark) {
      const { records } = p.log.read(offset, { maxBytes, maxOffset: p.highWatermark, minOneBatch: true });
      const batches = decodeRecordBatches(records);
      if (batches.length === 0) break;
      const out: KafkaRecord[] = [];
      for (const b of batches) {
        if (!b.isControl) for (const r of b.records) if (r.offset >= offset) out.push(r);
        offset = Math.max(offset, b.baseOffset + b.lastOffsetDelta + 1);
      }
      yield out;
    }
  }
}
