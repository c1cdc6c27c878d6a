/**
 * The group coordinator's view of `__consumer_offsets`: create it when first needed, tell which
 * partitions this broker leads (and when that changes: the coordinator of a group is the leader
 * of its partition, DESIGN.md §4), append records to a partition and wait for the high watermark
 * to pass them (acks=all), and read a partition from its start for loading.
 * `ReplicaCoordinatorLog` is the broker's implementation over TopicManager/ReplicaManager; unit
 * tests use an in-memory one.
 *
 * Append outcomes are mapped as Kafka's coordinator maps produce errors: ISR below
 * min.insync.replicas (before or after the append) and timeouts -> COORDINATOR_NOT_AVAILABLE;
 * leadership lost (before or while waiting) or a closed log -> NOT_COORDINATOR.
 */
import { decodeRecordBatches, encodeRecordBatch, type KafkaRecord, type RecordInput } from '@tributary/protocol';
import { StorageError, type Clock } from '@tributary/storage';
import type { BrokerConfig } from '../config/index.ts';
import { ErrorCode } from '../error-codes.ts';
import { waitForPartitions } from '../handlers/wait-for.ts';
import type { Logger } from '../logger.ts';
import type { MetadataStore } from '../metadata/index.ts';
import { CONSUMER_OFFSETS_TOPIC, type ReplicaManager, type TopicManager } from '../replica/index.ts';

/** This broker became (true) or stopped being (false) the leader of a partition. */
export type LeadershipListener = (partition: number, isLeader: boolean) => void;

export interface CoordinatorLog {
  readonly partitionCount: number;
  /** Creates the topic if missing; NONE or COORDINATOR_NOT_AVAILABLE. */
  ensureTopic(): Promise<number>;
  /** Does the topic exist (in the metadata store)? */
  exists(): boolean;
  /**
   * Leadership changes of this broker's partitions of the topic from now on (including the
   * partitions of a newly created topic); returns the unregister function.
   */
  onLeadershipChange(listener: LeadershipListener): () => void;
  /** Partitions of the topic this broker leads (empty before the topic exists). */
  ledPartitions(): number[];
  isLeader(partition: number): boolean;
  /** Nothing to load: the partition's log holds no records (a new topic). */
  isEmpty(partition: number): boolean;
  /** Appends the records as one batch; resolves to an error code once replicated (or failed). */
  append(partition: number, records: readonly RecordInput[]): Promise<number>;
  /**
   * Records of the partition from its start up to its end, in chunks. Read by a (new) leader: its
   * log is what the followers will hold, and its high watermark may still lag behind records an
   * earlier leader acknowledged (Kafka's loader reads to the log end offset too).
   */
  read(partition: number): AsyncIterable<readonly KafkaRecord[]>;
}

/** Bytes of __consumer_offsets read per loading step (offsets.load.buffer.size). */
export class ReplicaCoordinatorLog implements CoordinatorLog {
  readonly partitionCount: number;
  private readonly config: BrokerConfig;
  private readonly topics: TopicManager;
  private readonly replicas: ReplicaManager;
  private readonly store: MetadataStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private creating: Promise<number> | null = null;

  constructor(config: BrokerConfig, store: MetadataStore, topics: TopicManager, replicas: ReplicaManager, clock: Clock, log: Logger) {
    this.config = config;
    this.store = store;
    this.topics = topics;
    this.replicas = replicas;
    this.clock = clock;
    this.log = log;
    this.partitionCount = config.int('offsets.topic.num.partitions');
  }

  ensureTopic(): Promise<number> {
    if (this.exists()) return Promise.resolve(ErrorCode.NONE);
    this.creating ??= this.create().finally(() => { this.creating = null; });
    return this.creating;
  }

  private async create(): Promise<number> {
    const r = await this.topics.createTopic({
      name: CONSUMER_OFFSETS_TOPIC,
      numPartitions: this.partitionCount,
      replicationFactor: this.config.internalTopicReplicationFactor('offsets.topic.replication.factor'),
      configs: {
        'cleanup.policy': 'compact', 'compression.type': 'producer',
        'segment.bytes': String(this.config.int('offsets.topic.segment.bytes')),
      },
    });
    if (r.ok || r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return ErrorCode.NONE;
    this.log.warn('could not create __consumer_offsets', { error: r.message });
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  exists(): boolean {
    return this.store.topic(CONSUMER_OFFSETS_TOPIC) !== undefined;
  }

  onLeadershipChange(listener: LeadershipListener): () => void {
    return this.replicas.onPartitionRole((p, role) => {
      if (p.topic === CONSUMER_OFFSETS_TOPIC) listener(p.index, role === 'leader');
    });
  }

  ledPartitions(): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.partitionCount; p++) if (this.isLeader(p)) out.push(p);
    return out;
  }

  isLeader(partition: number): boolean {
    return this.replicas.partition(CONSUMER_OFFSETS_TOPIC, partition)?.isLeader ?? false;
  }

  isEmpty(partition: number): boolean {
    const p = this.replicas.partition(CONSUMER_OFFSETS_TOPIC, partition);
    return p === undefined || p.logEndOffset <= p.logStartOffset;
  }

  async append(partition: number, records: readonly RecordInput[]): Promise<number> {
    const p = this.replicas.partition(CONSUMER_OFFSETS_TOPIC, partition);
    if (p === undefined || !p.isLeader) return ErrorCode.NOT_COORDINATOR;
    const minInsync = this.replicas.topicConfig(CONSUMER_OFFSETS_TOPIC)?.minInsyncReplicas ?? 1;
    if (p.isr.length < minInsync) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
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
    // Role changes wake the wait too: a leader that lost its partition may never see the HW pass.
    // A new epoch with this broker still leading keeps the log (and the records) as they are.
    const lost = (): boolean => !p.isLeader || this.replicas.partition(CONSUMER_OFFSETS_TOPIC, partition) !== p;
    const ok = await waitForPartitions(
      this.clock, [p], this.config.int('offsets.commit.timeout.ms'), () => lost() || p.highWatermark >= required,
    );
    if (lost()) return ErrorCode.NOT_COORDINATOR;
    if (!ok) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return p.isr.length < minInsync ? ErrorCode.COORDINATOR_NOT_AVAILABLE : ErrorCode.NONE;
  }

  async *read(partition: number): AsyncIterable<readonly KafkaRecord[]> {
    const p = this.replicas.partition(CONSUMER_OFFSETS_TOPIC, partition);
    if (p === undefined) return;
    const maxBytes = this.config.int('offsets.load.buffer.size');
    const end = p.logEndOffset;
    let offset = p.logStartOffset;
    while (offset < end) {
      const { records } = p.log.read(offset, { maxBytes, maxOffset: end, minOneBatch: true });
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
