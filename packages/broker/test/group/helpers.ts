/**
 * Unit-test scaffolding for the group coordinator: an in-memory `__consumer_offsets`
 * (CoordinatorLog), a GroupService on a ManualClock, and request builders.
 */
import { Writer, encodeConsumerProtocolSubscription, type KafkaRecord, type RecordInput } from '@tributary/protocol';
import { ManualClock } from '@tributary/storage';
import { ErrorCode } from '../../src/error-codes.ts';
import {
  GroupService, type CoordinatorLog, type GroupCoordinatorConfig, type JoinRequest, type LeadershipListener,
} from '../../src/group/index.ts';
import { silentLogger } from '../../src/logger.ts';

export const TEST_GROUP_CONFIG: GroupCoordinatorConfig = {
  minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 1_800_000, initialRebalanceDelayMs: 0, maxSize: 1000,
  offsetsRetentionMs: 10080 * 60_000, offsetsRetentionCheckIntervalMs: 600_000, offsetMetadataMaxBytes: 4096,
};

/**
 * `__consumer_offsets` in memory: partitions are arrays of records; survives a coordinator restart.
 * This broker leads every partition once the topic exists, until `setLeader` says otherwise.
 */
export class MemoryCoordinatorLog implements CoordinatorLog {
  readonly partitionCount: number;
  readonly partitions = new Map<number, KafkaRecord[]>();
  created = false;
  appendError = ErrorCode.NONE;
  private readonly notLed = new Set<number>();
  private readonly listeners = new Set<LeadershipListener>();

  constructor(partitionCount = 5) {
    this.partitionCount = partitionCount;
  }

  ensureTopic(): Promise<number> {
    if (!this.created) {
      this.created = true;
      for (const p of this.ledPartitions()) this.notify(p, true);
    }
    return Promise.resolve(ErrorCode.NONE);
  }

  exists(): boolean {
    return this.created;
  }

  onLeadershipChange(listener: LeadershipListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Moves leadership of `partition` to (true) or away from (false) this broker, as a controller would. */
  setLeader(partition: number, isLeader: boolean): void {
    if (isLeader) this.notLed.delete(partition);
    else this.notLed.add(partition);
    this.notify(partition, isLeader);
  }

  private notify(partition: number, isLeader: boolean): void {
    for (const l of [...this.listeners]) l(partition, isLeader);
  }

  ledPartitions(): number[] {
    return this.created ? [...Array(this.partitionCount).keys()].filter((p) => this.isLeader(p)) : [];
  }

  isLeader(partition: number): boolean {
    return this.created && !this.notLed.has(partition);
  }

  isEmpty(partition: number): boolean {
    return (this.partitions.get(partition)?.length ?? 0) === 0;
  }

  append(partition: number, records: readonly RecordInput[]): Promise<number> {
    if (!this.isLeader(partition)) return Promise.resolve(ErrorCode.NOT_COORDINATOR);
    if (this.appendError !== ErrorCode.NONE) return Promise.resolve(this.appendError);
    const log = this.partitions.get(partition) ?? [];
    this.partitions.set(partition, log);
    for (const r of records) log.push({ offset: log.length, timestamp: 0, key: r.key ?? null, value: r.value, headers: [] });
    return Promise.resolve(ErrorCode.NONE);
  }

  async *read(partition: number): AsyncIterable<readonly KafkaRecord[]> {
    const log = this.partitions.get(partition) ?? [];
    if (log.length > 0) yield [...log];
  }
}

export interface Harness {
  readonly clock: ManualClock;
  readonly log: MemoryCoordinatorLog;
  readonly service: GroupService;
  /** A new service over the same log and clock (a broker restart). */
  restart(beforeLoad?: (p: number) => Promise<void>): GroupService;
}

export function harness(config: Partial<GroupCoordinatorConfig> = {}, topics: Record<string, number> = { t: 3, u: 3 }): Harness {
  const clock = new ManualClock();
  const log = new MemoryCoordinatorLog();
  let ids = 0;
  const make = (beforeLoad?: (p: number) => Promise<void>): GroupService => {
    const s = new GroupService({
      log, clock, logger: silentLogger, config: { ...TEST_GROUP_CONFIG, ...config },
      partitionExists: (t, p) => topics[t] !== undefined && p >= 0 && p < topics[t]!,
      newUuid: () => `uuid${++ids}`,
      ...(beforeLoad === undefined ? {} : { beforeLoad }),
    });
    s.start();
    return s;
  };
  const h: Harness = {
    clock, log, service: make(),
    restart(beforeLoad) {
      h.service.stop();
      (h as { service: GroupService }).service = make(beforeLoad);
      return h.service;
    },
  };
  return h;
}

/** ConsumerProtocolSubscription v0 bytes (with its int16 version prefix). */
export function subscription(topics: string[]): Buffer {
  const w = new Writer(64);
  w.int16(0);
  encodeConsumerProtocolSubscription(w, 0, { topics, userData: null });
  return w.toBuffer();
}

export function joinReq(groupId: string, over: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId, memberId: '', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['t']) }],
    requireKnownMemberId: false, ...over,
  };
}

/** Lets pending promise callbacks run (the coordinator's async checks resolve in microtasks). */
export const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
