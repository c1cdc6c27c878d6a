/**
 * The partitions this broker hosts. It keeps them in step with the metadata store: opens logs for
 * created topics and added partitions, deletes them with the topic, pushes topic config changes to
 * the logs, and applies partition-state (leader/ISR) changes. Handlers look partitions up here.
 */
import type { LogDirDescription, LogManager } from '@tributary/storage';
import { TopicConfig, topicLogConfig, type BrokerConfig } from '../config/index.ts';
import type { Logger } from '../logger.ts';
import type { MetadataEvent, MetadataStore, TopicRecord } from '../metadata/index.ts';
import { Partition } from './partition.ts';

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

  constructor(brokerConfig: BrokerConfig, store: MetadataStore, logs: LogManager, log: Logger) {
    this.brokerConfig = brokerConfig;
    this.store = store;
    this.logs = logs;
    this.log = log;
  }

  get brokerId(): number {
    return this.brokerConfig.brokerId;
  }

  /** Opens the logs of every topic in the store (recovering them), then follows store changes. */
  start(): void {
    for (const t of this.store.topics()) this.host(t, 0);
    this.unsubscribe = this.store.subscribe((e) => this.onMetadataEvent(e));
  }

  /** Stops following the store; the LogManager owner closes the logs. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
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
      case 'partition-state': this.partition(e.topic, e.partition)?.applyState(e.state); break;
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
      hosted.partitions.set(p, new Partition(record.name, p, record.topicId, log, state, this.brokerId));
    }
  }

  private unhost(record: TopicRecord): void {
    const hosted = this.topics.get(record.name);
    if (hosted === undefined) return;
    this.topics.delete(record.name);
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
}
