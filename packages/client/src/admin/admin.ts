import {
  AlterConfigsApi, CreatePartitionsApi, CreateTopicsApi, DeleteRecordsApi, DeleteTopicsApi,
  DescribeClusterApi, DescribeConfigsApi, IncrementalAlterConfigsApi,
} from '@tributary/protocol/generated/index.ts';
import { Cluster, type BrokerAddress, type PartitionInfo } from '../cluster.ts';
import { ClientError } from '../errors.ts';
import { kafkaError } from '../kafka-errors.ts';
import type { TopicPartition } from '../consumer/assignors/types.ts';
import type { CommittedOffset, OffsetAndMetadata } from '../consumer/group/offsets.ts';
import { GroupAdmin, type GroupDescription, type GroupListing } from './groups.ts';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, type OffsetAnswer } from '../list-offsets.ts';

export interface AdminOptions {
  bootstrapServers: string | readonly string[];
  clientId?: string;
  requestTimeoutMs?: number;
  retries?: number;
}

export interface NewTopic {
  topic: string;
  /** -1 = broker default. */
  numPartitions?: number;
  /** -1 = broker default. */
  replicationFactor?: number;
  configs?: Record<string, string>;
}

export interface TopicDescription {
  name: string;
  topicId: string | null;
  isInternal: boolean;
  partitions: PartitionInfo[];
}

export const ConfigResourceType = { Topic: 2, Broker: 4, BrokerLogger: 8 } as const;
export type ConfigResourceTypeName = 'topic' | 'broker';

export interface ConfigResource {
  type: ConfigResourceTypeName;
  /** Topic name, or broker id as a string. */
  name: string;
  /** Only these keys; all when omitted. */
  keys?: string[];
}

/** Kafka's ConfigSource enum, by name. */
const CONFIG_SOURCES = ['UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG', 'DYNAMIC_BROKER_LOGGER_CONFIG', 'CLIENT_METRICS_CONFIG', 'GROUP_CONFIG'];

const DEFAULT_CONFIG_SOURCE = 5;

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  source: string;
  isSensitive: boolean;
}

export interface ConfigDescription {
  type: ConfigResourceTypeName;
  name: string;
  configs: ConfigEntry[];
}

export interface ConfigAlteration {
  type: ConfigResourceTypeName;
  name: string;
  /** Keys to set. */
  set?: Record<string, string>;
  /** Keys to remove (back to the default). */
  delete?: string[];
}

export interface ClusterDescription {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerAddress[];
}

const OP_SET = 0;
const OP_DELETE = 1;
const DEFAULT_ADMIN_TIMEOUT_MS = 30_000;

function resourceTypeCode(type: ConfigResourceTypeName): number {
  if (type === 'topic') return ConfigResourceType.Topic;
  if (type === 'broker') return ConfigResourceType.Broker;
  throw new ClientError('INVALID_ARGUMENT', `unknown config resource type ${String(type)}`);
}

/** Admin client: topic, partition, config and record management, sent to the controller. */
export class Admin {
  readonly cluster: Cluster;
  private readonly timeoutMs: number;
  private readonly groups: GroupAdmin;

  constructor(options: AdminOptions) {
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_ADMIN_TIMEOUT_MS;
    this.cluster = new Cluster({
      bootstrapServers: options.bootstrapServers, clientId: options.clientId,
      requestTimeoutMs: this.timeoutMs + 5_000, retries: options.retries,
    });
    this.groups = new GroupAdmin(this.cluster);
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  async createTopics(topics: readonly NewTopic[], options: { validateOnly?: boolean } = {}): Promise<void> {
    const conn = await this.cluster.controllerConnection();
    const res = await conn.send(CreateTopicsApi, {
      timeoutMs: this.timeoutMs, validateOnly: options.validateOnly ?? false,
      topics: topics.map((t) => ({
        name: t.topic, numPartitions: t.numPartitions ?? -1, replicationFactor: t.replicationFactor ?? -1, assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    for (const t of res.topics) if (t.errorCode !== 0) throw kafkaError(t.errorCode, `create topic ${t.name}`, t.errorMessage);
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    const conn = await this.cluster.controllerConnection();
    const res = await conn.send(DeleteTopicsApi, {
      timeoutMs: this.timeoutMs, topicNames: [...topics],
      topics: topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })),
    });
    for (const t of res.responses) if (t.errorCode !== 0) throw kafkaError(t.errorCode, `delete topic ${t.name ?? ''}`, t.errorMessage);
  }

  /** Names of all topics (internal ones only with `includeInternal`). */
  async listTopics(options: { includeInternal?: boolean } = {}): Promise<string[]> {
    await this.cluster.refreshMetadata(null);
    const names: string[] = [];
    for (const name of this.cluster.knownTopics()) {
      if (!options.includeInternal && this.cluster.topic(name)!.isInternal) continue;
      names.push(name);
    }
    return names.sort();
  }

  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    await this.cluster.refreshMetadata([...topics]);
    return topics.map((name) => {
      const info = this.cluster.topic(name);
      if (info === undefined) throw kafkaError(3, `describe topic ${name}`);
      return { name, topicId: info.topicId, isInternal: info.isInternal, partitions: [...info.partitions] };
    });
  }

  /** Grows topics to `count` partitions in total. */
  async createPartitions(topics: ReadonlyArray<{ topic: string; count: number }>, options: { validateOnly?: boolean } = {}): Promise<void> {
    const conn = await this.cluster.controllerConnection();
    const res = await conn.send(CreatePartitionsApi, {
      timeoutMs: this.timeoutMs, validateOnly: options.validateOnly ?? false,
      topics: topics.map((t) => ({ name: t.topic, count: t.count, assignments: null })),
    });
    for (const t of res.results) if (t.errorCode !== 0) throw kafkaError(t.errorCode, `create partitions for ${t.name}`, t.errorMessage);
  }

  async describeConfigs(resources: readonly ConfigResource[]): Promise<ConfigDescription[]> {
    const out: ConfigDescription[] = [];
    for (const r of resources) {
      const conn = r.type === 'broker' ? await this.cluster.connectionTo(Number(r.name)) : await this.cluster.controllerConnection();
      const res = await conn.send(DescribeConfigsApi, {
        includeSynonyms: false, includeDocumentation: false,
        resources: [{ resourceType: resourceTypeCode(r.type), resourceName: r.name, configurationKeys: r.keys ?? null }],
      });
      for (const result of res.results) {
        if (result.errorCode !== 0) throw kafkaError(result.errorCode, `describe configs of ${r.type} ${r.name}`, result.errorMessage);
        out.push({
          type: r.type, name: result.resourceName,
          configs: result.configs.map((c) => {
            // v1+ carries ConfigSource and no IsDefault; v0 only IsDefault.
            const hasSource = c.configSource !== undefined && c.configSource >= 0;
            const isDefault = hasSource ? c.configSource === DEFAULT_CONFIG_SOURCE : c.isDefault ?? false;
            const source = hasSource ? CONFIG_SOURCES[c.configSource!] ?? 'UNKNOWN' : isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN';
            return { name: c.name, value: c.value ?? null, readOnly: c.readOnly, isDefault, source, isSensitive: c.isSensitive };
          }),
        });
      }
    }
    return out;
  }

  /** Incremental set/delete through IncrementalAlterConfigs; falls back to AlterConfigs (whole-set replace) on old brokers. */
  async alterConfigs(changes: readonly ConfigAlteration[], options: { validateOnly?: boolean } = {}): Promise<void> {
    for (const c of changes) {
      const conn = c.type === 'broker' ? await this.cluster.connectionTo(Number(c.name)) : await this.cluster.controllerConnection();
      const resourceType = resourceTypeCode(c.type);
      if (conn.brokerRange(IncrementalAlterConfigsApi.apiKey) !== undefined) {
        const configs = [
          ...Object.entries(c.set ?? {}).map(([name, value]) => ({ name, configOperation: OP_SET, value })),
          ...(c.delete ?? []).map((name) => ({ name, configOperation: OP_DELETE, value: null })),
        ];
        const res = await conn.send(IncrementalAlterConfigsApi, { validateOnly: options.validateOnly ?? false, resources: [{ resourceType, resourceName: c.name, configs }] });
        for (const r of res.responses) if (r.errorCode !== 0) throw kafkaError(r.errorCode, `alter configs of ${c.type} ${c.name}`, r.errorMessage);
        continue;
      }
      await this.alterConfigsLegacy(c, resourceType, options.validateOnly ?? false);
    }
  }

  /** AlterConfigs replaces the whole dynamic set: read the current non-default values, then merge. */
  private async alterConfigsLegacy(c: ConfigAlteration, resourceType: number, validateOnly: boolean): Promise<void> {
    const [current] = await this.describeConfigs([{ type: c.type, name: c.name }]);
    // Keep only this resource's own dynamic level: a topic also reports inherited broker-level
    // values (DYNAMIC_BROKER_CONFIG, DYNAMIC_DEFAULT_BROKER_CONFIG), which must not be copied in.
    const ownSource = c.type === 'topic' ? 'DYNAMIC_TOPIC_CONFIG' : c.name === '' ? 'DYNAMIC_DEFAULT_BROKER_CONFIG' : 'DYNAMIC_BROKER_CONFIG';
    const values = new Map<string, string>();
    for (const e of current?.configs ?? []) {
      if (!e.readOnly && e.value !== null && e.source === ownSource) values.set(e.name, e.value);
    }
    for (const [k, v] of Object.entries(c.set ?? {})) values.set(k, v);
    for (const k of c.delete ?? []) values.delete(k);
    const conn = c.type === 'broker' ? await this.cluster.connectionTo(Number(c.name)) : await this.cluster.controllerConnection();
    const res = await conn.send(AlterConfigsApi, {
      validateOnly, resources: [{ resourceType, resourceName: c.name, configs: [...values].map(([name, value]) => ({ name, value })) }],
    });
    for (const r of res.responses) if (r.errorCode !== 0) throw kafkaError(r.errorCode, `alter configs of ${c.type} ${c.name}`, r.errorMessage);
  }

  /** Deletes records before `offset` (-1 = high watermark) on each partition; returns the new low watermarks. */
  async deleteRecords(targets: ReadonlyArray<{ topic: string; partition: number; offset: number }>): Promise<Array<{ topic: string; partition: number; lowWatermark: number }>> {
    await this.cluster.ensureTopics([...new Set(targets.map((t) => t.topic))]);
    const byLeader = new Map<number, Array<{ topic: string; partition: number; offset: number }>>();
    for (const t of targets) {
      const leader = this.cluster.leaderFor(t.topic, t.partition);
      if (leader < 0) throw kafkaError(3, `delete records in ${t.topic}-${t.partition}`);
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(t);
    }
    const out: Array<{ topic: string; partition: number; lowWatermark: number }> = [];
    for (const [leader, list] of byLeader) {
      const topics = new Map<string, Array<{ partitionIndex: number; offset: number }>>();
      for (const t of list) {
        let ps = topics.get(t.topic);
        if (ps === undefined) topics.set(t.topic, (ps = []));
        ps.push({ partitionIndex: t.partition, offset: t.offset });
      }
      const conn = await this.cluster.connectionTo(leader);
      const res = await conn.send(DeleteRecordsApi, { timeoutMs: this.timeoutMs, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) });
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) throw kafkaError(p.errorCode, `delete records in ${t.name}-${p.partitionIndex}`);
          out.push({ topic: t.name, partition: p.partitionIndex, lowWatermark: p.lowWatermark });
        }
      }
    }
    return out;
  }

  /** Offsets per partition: 'earliest', 'latest', or the first offset at or after a timestamp (ms). */
  async listOffsets(targets: ReadonlyArray<{ topic: string; partition: number; spec: 'earliest' | 'latest' | { timestamp: number } }>, isolationLevel: 'read_uncommitted' | 'read_committed' = 'read_uncommitted'): Promise<OffsetAnswer[]> {
    return listOffsets(this.cluster, targets.map((t) => ({
      topic: t.topic, partition: t.partition,
      timestamp: t.spec === 'earliest' ? EARLIEST_TIMESTAMP : t.spec === 'latest' ? LATEST_TIMESTAMP : t.spec.timestamp,
    })), isolationLevel === 'read_committed' ? 1 : 0);
  }

  /** Cluster id, controller and brokers: DescribeCluster when offered, else Metadata. */
  async describeCluster(): Promise<ClusterDescription> {
    const conn = await this.cluster.anyConnection();
    if (conn.brokerRange(DescribeClusterApi.apiKey) !== undefined) {
      const res = await conn.send(DescribeClusterApi, { includeClusterAuthorizedOperations: false });
      if (res.errorCode !== 0) throw kafkaError(res.errorCode, 'describe cluster', res.errorMessage);
      return {
        clusterId: res.clusterId, controllerId: res.controllerId ?? -1,
        brokers: res.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? null })),
      };
    }
    await this.cluster.refreshMetadata([]);
    return { clusterId: this.cluster.clusterId, controllerId: this.cluster.controller, brokers: this.cluster.brokerList() };
  }

  /** Groups on every broker, sorted by id; `states` filters (e.g. ['Stable', 'Empty']). */
  listGroups(options: { states?: string[] } = {}): Promise<GroupListing[]> { return this.groups.listGroups(options); }

  /** State, chosen assignor, members with decoded subscriptions and assignments. */
  describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> { return this.groups.describeGroups(groupIds); }

  /** Deletes empty groups; throws NON_EMPTY_GROUP (68) / GROUP_ID_NOT_FOUND (69) as KafkaError. */
  deleteGroups(groupIds: readonly string[]): Promise<void> { return this.groups.deleteGroups(groupIds); }

  /** Committed offsets (next record to read) of every partition the group has one for, or of `partitions` (-1 = none). */
  listConsumerGroupOffsets(groupId: string, partitions: readonly TopicPartition[] | null = null): Promise<CommittedOffset[]> {
    return this.groups.listConsumerGroupOffsets(groupId, partitions);
  }

  /** Sets committed offsets; the group must be empty (no active members), else UNKNOWN_MEMBER_ID (25). */
  alterConsumerGroupOffsets(groupId: string, offsets: readonly OffsetAndMetadata[]): Promise<void> {
    return this.groups.alterConsumerGroupOffsets(groupId, offsets);
  }

  deleteConsumerGroupOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<void> {
    return this.groups.deleteConsumerGroupOffsets(groupId, partitions);
  }

  async close(): Promise<void> {
    this.cluster.close();
  }
}
