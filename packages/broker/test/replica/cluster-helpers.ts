/**
 * In-process clusters for replication tests: several brokers on ephemeral loopback ports, each with
 * its own log dir, sharing one InMemoryMetadataStore (the simulated store of DESIGN.md §3). Each
 * broker gets a SharedStoreView, so one broker's close() unsubscribes only its own listeners and
 * leaves the shared store running. The test plays the controller by writing partition state.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch } from '@tributary/protocol';
import { ProduceApi } from '@tributary/protocol/generated/index.ts';
import { startBroker, type Broker } from '../../src/index.ts';
import { silentLogger } from '../../src/logger.ts';
import {
  InMemoryMetadataStore,
  type BrokerRegistration, type MetadataListener, type MetadataStore, type PartitionState, type PartitionStateUpdate,
  type TopicConfigRecord, type TopicRecord,
} from '../../src/metadata/index.ts';
import { TestClient } from '../test-client.ts';
import { waitFor } from '../network/helpers.ts';

/** One broker's handle on the shared store: start/close and subscriptions are per broker. */
export class SharedStoreView implements MetadataStore {
  private readonly inner: InMemoryMetadataStore;
  private readonly unsubscribes = new Set<() => void>();
  constructor(inner: InMemoryMetadataStore) { this.inner = inner; }
  async start(): Promise<void> {}
  async close(): Promise<void> { for (const u of this.unsubscribes) u(); this.unsubscribes.clear(); }
  clusterId(): string { return this.inner.clusterId(); }
  registerBroker(b: BrokerRegistration): Promise<void> { return this.inner.registerBroker(b); }
  unregisterBroker(id: number): Promise<void> { return this.inner.unregisterBroker(id); }
  brokers(): readonly BrokerRegistration[] { return this.inner.brokers(); }
  topics(): readonly TopicRecord[] { return this.inner.topics(); }
  topic(name: string): TopicRecord | undefined { return this.inner.topic(name); }
  topicById(id: string): TopicRecord | undefined { return this.inner.topicById(id); }
  createTopic(n: string, a: readonly (readonly number[])[], c: Readonly<Record<string, string>>): Promise<TopicRecord> { return this.inner.createTopic(n, a, c); }
  deleteTopic(n: string): Promise<TopicRecord> { return this.inner.deleteTopic(n); }
  addPartitions(n: string, a: readonly (readonly number[])[]): Promise<TopicRecord> { return this.inner.addPartitions(n, a); }
  partitionState(t: string, p: number): PartitionState | undefined { return this.inner.partitionState(t, p); }
  updatePartitionState(t: string, p: number, next: PartitionStateUpdate, v: number): Promise<PartitionState> { return this.inner.updatePartitionState(t, p, next, v); }
  topicConfig(t: string): TopicConfigRecord | undefined { return this.inner.topicConfig(t); }
  setTopicConfig(t: string, c: Readonly<Record<string, string>>, v?: number): Promise<TopicConfigRecord> { return this.inner.setTopicConfig(t, c, v); }
  brokerConfigOverrides(id: number | null): Readonly<Record<string, string>> { return this.inner.brokerConfigOverrides(id); }
  setBrokerConfigOverrides(id: number | null, c: Readonly<Record<string, string>>): Promise<void> { return this.inner.setBrokerConfigOverrides(id, c); }
  electController(id: number): Promise<void> { return this.inner.electController(id); }
  controllerId(): number { return this.inner.controllerId(); }
  controllerEpoch(): number { return this.inner.controllerEpoch(); }
  subscribe(l: MetadataListener): () => void {
    const u = this.inner.subscribe(l);
    this.unsubscribes.add(u);
    return () => { u(); this.unsubscribes.delete(u); };
  }
}

export class TestCluster {
  readonly store = new InMemoryMetadataStore();
  readonly brokers = new Map<number, Broker>();
  private readonly dirs = new Map<number, string>();
  private readonly clients: TestClient[] = [];
  private props: Record<string, string> = {};

  static async start(size: number, props: Record<string, string> = {}): Promise<TestCluster> {
    const c = new TestCluster();
    c.props = props;
    await c.store.start();
    try {
      for (let id = 0; id < size; id++) {
        c.dirs.set(id, await mkdtemp(join(tmpdir(), `tributary-replica-${id}-`)));
        await c.startBroker(id);
      }
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  /** Log lines of every broker, `[brokerId, msg, fields]`, for tests that pin what happened. */
  readonly events: [number, string, Record<string, unknown>][] = [];

  async startBroker(id: number, extra: Record<string, string> = {}): Promise<Broker> {
    assert.ok(!this.brokers.has(id), `broker ${id} already running`);
    const props = { 'broker.id': String(id), listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dir': this.dirs.get(id)!, ...this.props, ...extra };
    const record = (msg: string, fields?: Record<string, unknown>): void => { this.events.push([id, msg, fields ?? {}]); };
    const log = { ...silentLogger, info: record, warn: record };
    const b = await startBroker(props, { log, metadataStore: new SharedStoreView(this.store) });
    this.brokers.set(id, b);
    return b;
  }

  async stopBroker(id: number): Promise<void> {
    const b = this.brokers.get(id);
    this.brokers.delete(id);
    await b?.close();
  }

  broker(id: number): Broker {
    const b = this.brokers.get(id);
    assert.ok(b !== undefined, `broker ${id} is not running`);
    return b;
  }

  partition(id: number, topic: string, index = 0) {
    const p = this.broker(id).context.replicas.partition(topic, index);
    assert.ok(p !== undefined, `broker ${id} does not host ${topic}-${index}`);
    return p;
  }

  async client(id: number): Promise<TestClient> {
    const c = await TestClient.connect(this.broker(id).listeners[0]!.port);
    this.clients.push(c);
    return c;
  }

  /** Creates a topic with explicit replicas (leader = first) and waits until every live replica hosts it. */
  async createTopic(name: string, assignments: number[][], configs: Record<string, string> = {}): Promise<void> {
    await this.store.createTopic(name, assignments, configs);
    await waitFor(() => assignments.every((r, p) => r.every((id) => !this.brokers.has(id) || this.brokers.get(id)!.context.replicas.partition(name, p) !== undefined)), 'topic hosted');
  }

  /** Plays the controller: a new leader (from the ISR) with the leader epoch bumped. */
  async electLeader(topic: string, partition: number, leader: number, isr?: number[]): Promise<PartitionState> {
    const s = this.store.partitionState(topic, partition)!;
    return this.store.updatePartitionState(topic, partition, { leader, leaderEpoch: s.leaderEpoch + 1, isr: isr ?? [...s.isr] }, s.version);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    for (const id of [...this.brokers.keys()]) await this.stopBroker(id);
    await this.store.close();
    for (const d of this.dirs.values()) await rm(d, { recursive: true, force: true });
  }
}

export async function withCluster(size: number, props: Record<string, string>, fn: (c: TestCluster) => Promise<void>): Promise<void> {
  const c = await TestCluster.start(size, props);
  try {
    await fn(c);
  } finally {
    await c.close();
  }
}

export function batch(values: string[], timestamp = Date.now()): Buffer {
  return encodeRecordBatch({ records: values.map((v) => ({ key: null, value: Buffer.from(v), timestamp })) });
}

export async function produce(c: TestClient, topic: string, values: string[], acks = -1, timeoutMs = 10000): Promise<{ errorCode: number; baseOffset: number }> {
  const r = await c.request(ProduceApi, 9, { acks, timeoutMs, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch(values) }] }] });
  const p = r.responses[0]!.partitionResponses[0]!;
  return { errorCode: p.errorCode, baseOffset: p.baseOffset };
}

/** Every record of a partition's log, read directly (all replicas: up to the log end offset). */
export function logBytes(c: TestCluster, id: number, topic: string): Buffer {
  const p = c.partition(id, topic);
  return p.log.read(p.logStartOffset, { maxBytes: 1 << 30, minOneBatch: true }).records;
}

export { waitFor };
