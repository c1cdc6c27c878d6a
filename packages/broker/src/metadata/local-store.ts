/**
 * Metadata store kept in process memory, with a persistence hook. Both single-node implementations
 * build on it: InMemoryMetadataStore (no persistence, tests) and EmbeddedMetadataStore (JSON file).
 * Writes are serialised through one promise chain so a persisted snapshot is never interleaved.
 */
import { randomKafkaUuid, type RandomBytes } from './ids.ts';
import {
  MetadataError,
  type BrokerRegistration, type MetadataEvent, type MetadataListener, type MetadataStore, type PartitionState,
  type PartitionStateUpdate, type TopicConfigRecord, type TopicRecord,
} from './types.ts';

/** The durable part of the state (broker registrations are ephemeral, as in ZooKeeper). */
export interface PersistedMetadata {
  readonly formatVersion: 1;
  readonly clusterId: string;
  readonly topics: readonly PersistedTopic[];
  /** Dynamic broker config overrides by broker id, or DEFAULT_BROKER_CONFIG_KEY for the cluster default. */
  readonly brokerConfigs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Key of the cluster-wide dynamic broker defaults (Kafka's ZooKeeper node `/config/brokers/<default>`). */
export const DEFAULT_BROKER_CONFIG_KEY = '<default>';

export interface PersistedTopic {
  readonly name: string;
  readonly topicId: string;
  readonly assignments: readonly (readonly number[])[];
  readonly partitions: readonly PartitionState[];
  readonly config: TopicConfigRecord;
}

interface TopicEntry {
  record: TopicRecord;
  partitions: PartitionState[];
  config: TopicConfigRecord;
}

export interface LocalStoreOptions {
  readonly random?: RandomBytes;
}

export abstract class LocalMetadataStore implements MetadataStore {
  private cluster: string | null = null;
  private readonly brokerMap = new Map<number, BrokerRegistration>();
  private readonly topicMap = new Map<string, TopicEntry>();
  private readonly topicIds = new Map<string, string>();
  private readonly listeners = new Set<MetadataListener>();
  private readonly brokerConfigMap = new Map<string, Readonly<Record<string, string>>>();
  private writeChain: Promise<unknown> = Promise.resolve();
  private controller = -1;
  private controllerEpochValue = 0;
  private closed = false;
  protected readonly random: RandomBytes | undefined;

  constructor(opts: LocalStoreOptions = {}) {
    this.random = opts.random;
  }

  /** Returns the saved state, or null on first start. */
  protected abstract load(): Promise<PersistedMetadata | null>;
  /** Makes the snapshot durable. */
  protected abstract persist(snapshot: PersistedMetadata): Promise<void>;

  async start(): Promise<void> {
    const saved = await this.load();
    if (saved === null) {
      this.cluster = randomKafkaUuid(this.random);
      await this.persist(this.snapshot());
      return;
    }
    this.cluster = saved.clusterId;
    for (const t of saved.topics) {
      const record: TopicRecord = { name: t.name, topicId: t.topicId, assignments: t.assignments };
      this.topicMap.set(t.name, { record, partitions: [...t.partitions], config: t.config });
      this.topicIds.set(t.topicId, t.name);
    }
    for (const [k, v] of Object.entries(saved.brokerConfigs ?? {})) this.brokerConfigMap.set(k, { ...v });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writeChain.catch(() => undefined);
    this.listeners.clear();
  }

  clusterId(): string {
    if (this.cluster === null) throw new MetadataError('CLOSED', 'metadata store not started');
    return this.cluster;
  }

  protected snapshot(): PersistedMetadata {
    const topics: PersistedTopic[] = [];
    for (const e of this.topicMap.values()) {
      topics.push({ ...e.record, partitions: e.partitions, config: e.config });
    }
    return { formatVersion: 1, clusterId: this.clusterId(), topics, brokerConfigs: Object.fromEntries(this.brokerConfigMap) };
  }

  /** Runs a mutation after earlier ones, persists, then notifies. The mutation may throw to abort. */
  private write<T>(mutate: () => { result: T; events: MetadataEvent[]; durable: boolean }): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new MetadataError('CLOSED', 'metadata store is closed');
      const { result, events, durable } = mutate();
      if (durable) await this.persist(this.snapshot());
      for (const ev of events) for (const l of this.listeners) l(ev);
      return result;
    };
    const p = this.writeChain.then(run, run);
    this.writeChain = p.catch(() => undefined);
    return p;
  }

  registerBroker(broker: BrokerRegistration): Promise<void> {
    return this.write(() => {
      this.brokerMap.set(broker.id, broker);
      return { result: undefined, events: [{ type: 'broker-registered', broker }], durable: false };
    });
  }

  unregisterBroker(brokerId: number): Promise<void> {
    return this.write(() => {
      const existed = this.brokerMap.delete(brokerId);
      return { result: undefined, events: existed ? [{ type: 'broker-unregistered', brokerId }] : [], durable: false };
    });
  }

  brokers(): readonly BrokerRegistration[] {
    return [...this.brokerMap.values()].sort((a, b) => a.id - b.id);
  }

  topics(): readonly TopicRecord[] {
    return [...this.topicMap.values()].map((e) => e.record);
  }

  topic(name: string): TopicRecord | undefined {
    return this.topicMap.get(name)?.record;
  }

  topicById(topicId: string): TopicRecord | undefined {
    const name = this.topicIds.get(topicId);
    return name === undefined ? undefined : this.topic(name);
  }

  private newTopicId(): string {
    for (;;) {
      const id = randomKafkaUuid(this.random);
      if (!this.topicIds.has(id)) return id;
    }
  }

  createTopic(name: string, assignments: readonly (readonly number[])[], configs: Readonly<Record<string, string>>): Promise<TopicRecord> {
    return this.write(() => {
      if (this.topicMap.has(name)) throw new MetadataError('TOPIC_EXISTS', `Topic '${name}' already exists.`);
      checkAssignments(name, assignments);
      const record: TopicRecord = { name, topicId: this.newTopicId(), assignments: assignments.map((r) => [...r]) };
      const partitions = assignments.map(initialState);
      this.topicMap.set(name, { record, partitions, config: { configs: { ...configs }, version: 0 } });
      this.topicIds.set(record.topicId, name);
      return { result: record, events: [{ type: 'topic-created', topic: record }], durable: true };
    });
  }

  deleteTopic(name: string): Promise<TopicRecord> {
    return this.write(() => {
      const e = this.entry(name);
      this.topicMap.delete(name);
      this.topicIds.delete(e.record.topicId);
      return { result: e.record, events: [{ type: 'topic-deleted', topic: e.record }], durable: true };
    });
  }

  addPartitions(name: string, newAssignments: readonly (readonly number[])[]): Promise<TopicRecord> {
    return this.write(() => {
      const e = this.entry(name);
      checkAssignments(name, newAssignments);
      const previousCount = e.record.assignments.length;
      const record: TopicRecord = { ...e.record, assignments: [...e.record.assignments, ...newAssignments.map((r) => [...r])] };
      e.record = record;
      e.partitions.push(...newAssignments.map(initialState));
      return { result: record, events: [{ type: 'partitions-added', topic: record, previousCount }], durable: true };
    });
  }

  partitionState(topic: string, partition: number): PartitionState | undefined {
    return this.topicMap.get(topic)?.partitions[partition];
  }

  updatePartitionState(topic: string, partition: number, next: PartitionStateUpdate, expectedVersion: number): Promise<PartitionState> {
    return this.write(() => {
      const e = this.entry(topic);
      const current = e.partitions[partition];
      if (current === undefined) throw new MetadataError('UNKNOWN_PARTITION', `Partition ${topic}-${partition} does not exist`);
      if (current.version !== expectedVersion) {
        throw new MetadataError('BAD_VERSION', `Partition ${topic}-${partition} is at version ${current.version}, expected ${expectedVersion}`);
      }
      if (next.leaderEpoch < current.leaderEpoch) {
        throw new MetadataError('BAD_VERSION', `Leader epoch of ${topic}-${partition} cannot go back (${current.leaderEpoch} -> ${next.leaderEpoch})`);
      }
      const state: PartitionState = { leader: next.leader, leaderEpoch: next.leaderEpoch, isr: [...next.isr], version: current.version + 1 };
      e.partitions[partition] = state;
      return { result: state, events: [{ type: 'partition-state', topic, partition, state }], durable: true };
    });
  }

  topicConfig(topic: string): TopicConfigRecord | undefined {
    return this.topicMap.get(topic)?.config;
  }

  setTopicConfig(topic: string, configs: Readonly<Record<string, string>>, expectedVersion?: number): Promise<TopicConfigRecord> {
    return this.write(() => {
      const e = this.entry(topic);
      if (expectedVersion !== undefined && e.config.version !== expectedVersion) {
        throw new MetadataError('BAD_VERSION', `Config of topic ${topic} is at version ${e.config.version}, expected ${expectedVersion}`);
      }
      const config: TopicConfigRecord = { configs: { ...configs }, version: e.config.version + 1 };
      e.config = config;
      return { result: config, events: [{ type: 'topic-config', topic, config }], durable: true };
    });
  }

  brokerConfigOverrides(brokerId: number | null): Readonly<Record<string, string>> {
    return this.brokerConfigMap.get(brokerId === null ? DEFAULT_BROKER_CONFIG_KEY : String(brokerId)) ?? {};
  }

  setBrokerConfigOverrides(brokerId: number | null, configs: Readonly<Record<string, string>>): Promise<void> {
    return this.write(() => {
      const key = brokerId === null ? DEFAULT_BROKER_CONFIG_KEY : String(brokerId);
      if (Object.keys(configs).length === 0) this.brokerConfigMap.delete(key);
      else this.brokerConfigMap.set(key, { ...configs });
      return { result: undefined, events: [{ type: 'broker-config', brokerId, configs: { ...configs } }], durable: true };
    });
  }

  /** A single node is its own controller: no contest, the epoch goes 0 -> 1 once. */
  electController(brokerId: number): Promise<void> {
    return this.write(() => {
      if (this.controller === brokerId) return { result: undefined, events: [], durable: false };
      this.controller = brokerId;
      this.controllerEpochValue++;
      return { result: undefined, events: [{ type: 'controller-changed', controllerId: brokerId, epoch: this.controllerEpochValue }], durable: false };
    });
  }

  controllerId(): number {
    return this.controller;
  }

  controllerEpoch(): number {
    return this.controllerEpochValue;
  }

  subscribe(listener: MetadataListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  private entry(name: string): TopicEntry {
    const e = this.topicMap.get(name);
    if (e === undefined) throw new MetadataError('UNKNOWN_TOPIC', `Topic '${name}' does not exist`);
    return e;
  }
}

function initialState(replicas: readonly number[]): PartitionState {
  return { leader: replicas[0] ?? -1, leaderEpoch: 0, isr: [...replicas], version: 0 };
}

export function checkAssignments(topic: string, assignments: readonly (readonly number[])[]): void {
  for (const [p, replicas] of assignments.entries()) {
    if (replicas.length === 0 || new Set(replicas).size !== replicas.length) {
      throw new MetadataError('INVALID_ASSIGNMENT', `Replica list of ${topic} partition ${p} must be non-empty and without duplicates`);
    }
  }
}
