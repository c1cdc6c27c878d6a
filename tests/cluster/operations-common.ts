/**
 * Helpers for tests/cluster/operations-*.test.ts: brokers as child processes (`tributary start
 * --roles broker`) that can be sent any signal (SIGTERM for controlled shutdown), an observer store
 * on the same ZooKeeper, and single-partition produce/metadata requests. Always `close()` in an
 * after hook: it SIGKILLs what still runs (by pid) and removes the temp dirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch } from '@tributary/protocol';
import { CreateTopicsApi, MetadataApi, ProduceApi, type MetadataResponse } from '@tributary/protocol/generated/index.ts';
import { ZooKeeperMetadataStore } from '../../packages/broker/src/metadata/index.ts';
import { TestClient } from '../../packages/broker/test/test-client.ts';
import { REPO_ROOT, freePort, waitFor } from '../helpers/broker-process.ts';
import { ZooKeeperServer } from '../helpers/zookeeper.ts';

const CLI = join(REPO_ROOT, 'packages/cli/bin/tributary.js');

export class OpsBroker {
  readonly id: number;
  readonly port: number;
  readonly dir: string;
  private readonly sets: string[];
  child: ChildProcess | null = null;
  output = '';

  constructor(id: number, port: number, props: Record<string, string>) {
    this.id = id;
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), `tributary-ops-${id}-`));
    this.sets = Object.entries({ 'broker.id': String(id), 'listeners': `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': this.dir, ...props })
      .flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  }

  async launch(): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'start', '--roles', 'broker', ...this.sets], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onData = (d: Buffer): void => { this.output = (this.output + d.toString()).slice(-(1 << 20)); };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    await waitFor(`broker ${this.id} started`, () => {
      if (child.exitCode !== null) throw new Error(`broker exited during start:\n${this.output}`);
      return this.output.includes('"msg":"broker started"');
    }, 30_000, 50);
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` and resolves when the process has exited. */
  async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === null || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}

export class OpsCluster {
  readonly zk: ZooKeeperServer;
  readonly connect: string;
  readonly brokers = new Map<number, OpsBroker>();
  readonly observer: ZooKeeperMetadataStore;
  private readonly props: Record<string, string>;
  private readonly clients: TestClient[] = [];

  private constructor(zk: ZooKeeperServer, connect: string, props: Record<string, string>) {
    this.zk = zk;
    this.connect = connect;
    this.props = props;
    this.observer = new ZooKeeperMetadataStore({ connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000 });
  }

  static async start(ids: number[], props: Record<string, string>, zk?: ZooKeeperServer): Promise<OpsCluster> {
    const server = zk ?? await ZooKeeperServer.start();
    const c = new OpsCluster(server, server.connectString('/ops'), props);
    try {
      for (const id of ids) await c.addBroker(id);
      await c.observer.start();
      await waitFor('brokers registered', () => c.observer.brokers().length === ids.length, 15_000);
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  async addBroker(id: number, extra: Record<string, string> = {}): Promise<OpsBroker> {
    const b = new OpsBroker(id, await freePort(), { 'zookeeper.connect': this.connect, 'broker.rack': `r${id}`, ...this.props, ...extra });
    this.brokers.set(id, b);
    await b.launch();
    return b;
  }

  broker(id: number): OpsBroker {
    const b = this.brokers.get(id);
    if (b === undefined) throw new Error(`no broker ${id}`);
    return b;
  }

  async client(id: number): Promise<TestClient> {
    const c = await TestClient.connect(this.broker(id).port);
    this.clients.push(c);
    return c;
  }

  async createTopic(name: string, partitions: number, replicationFactor: number, configs: Record<string, string> = {}): Promise<void> {
    const id = [...this.brokers.values()].find((b) => b.running)!.id;
    const c = await this.client(id);
    const r = await c.request(CreateTopicsApi, 7, {
      topics: [{ name, numPartitions: partitions, replicationFactor, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
      timeoutMs: 5000, validateOnly: false,
    });
    if (r.topics[0]!.errorCode !== 0) throw new Error(`CreateTopics ${name}: error ${r.topics[0]!.errorCode} ${r.topics[0]!.errorMessage}`);
    await waitFor(`observer sees ${name}`, () => this.observer.topic(name) !== undefined);
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    for (const b of this.brokers.values()) {
      await b.signal('SIGKILL').catch(() => undefined);
      rmSync(b.dir, { recursive: true, force: true });
    }
    await this.observer.close().catch(() => undefined);
    await this.zk.stop();
  }
}

export async function metadata(c: TestClient, topics: string[] | null): Promise<MetadataResponse> {
  return c.request(MetadataApi, 12, {
    topics: topics === null ? null : topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })), allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false,
  });
}

/** One acks=all produce of `value` to partition 0 of `topic`; the partition's error code. */
export async function produceOne(c: TestClient, topic: string, value: string, timeoutMs = 10_000): Promise<number> {
  const records = encodeRecordBatch({ records: [{ key: null, value: Buffer.from(value), timestamp: Date.now() }] });
  const r = await c.request(ProduceApi, 9, { acks: -1, timeoutMs, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
  return r.responses[0]!.partitionResponses[0]!.errorCode;
}
