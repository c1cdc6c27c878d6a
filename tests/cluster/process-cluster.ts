/**
 * Three (or more) brokers as child processes on one real ZooKeeper, for the fault tests in
 * tests/cluster: SIGKILL, relaunch, SIGSTOP/SIGCONT by pid. `close()` kills every broker by pid
 * (continuing stopped ones first), stops ZooKeeper and removes every temp dir; call it in an after
 * hook so cleanup happens on failure too. Metadata is read with a raw request from a live broker.
 */
import { CreateTopicsApi, DescribeLogDirsApi, MetadataApi, type MetadataResponse } from '@tributary/protocol/generated/index.ts';
import { TestClient } from '../../packages/broker/test/test-client.ts';
import { BrokerProcess, waitFor } from '../helpers/broker-process.ts';
import { ZooKeeperServer } from '../helpers/zookeeper.ts';

const NO_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const REQUEST_TIMEOUT_MS = 5000;

export interface PartitionView {
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
}

export class ProcessCluster {
  readonly zk: ZooKeeperServer;
  readonly brokers: BrokerProcess[];
  /** Brokers currently SIGSTOPped (by id). */
  readonly stopped = new Set<number>();
  /** Brokers currently killed (by id). */
  readonly down = new Set<number>();

  private constructor(zk: ZooKeeperServer, brokers: BrokerProcess[]) {
    this.zk = zk;
    this.brokers = brokers;
  }

  /** Starts ZooKeeper and `n` brokers (ids 1..n, racks r1..rn) with `config` on each; waits until all are registered. */
  static async start(n: number, config: Record<string, string>, chroot = '/tributary'): Promise<ProcessCluster> {
    const zk = await ZooKeeperServer.start();
    const c = new ProcessCluster(zk, []);
    try {
      for (let id = 1; id <= n; id++) {
        c.brokers.push(await BrokerProcess.start({
          config: { 'broker.id': String(id), 'broker.rack': `r${id}`, 'zookeeper.connect': zk.connectString(chroot), ...config },
        }));
      }
      await waitFor(`${n} brokers registered`, async () => (await c.metadata([])).brokers.length === n, 30_000, 100);
    } catch (e) {
      await c.close();
      throw e;
    }
    return c;
  }

  broker(id: number): BrokerProcess {
    const b = this.brokers[id - 1];
    if (b === undefined) throw new Error(`no broker ${id}`);
    return b;
  }

  get bootstrap(): string[] {
    return this.brokers.map((b) => b.bootstrap);
  }

  live(): BrokerProcess[] {
    return this.brokers.filter((_, i) => !this.down.has(i + 1) && !this.stopped.has(i + 1));
  }

  async kill(id: number): Promise<void> {
    this.down.add(id);
    await this.broker(id).kill();
  }

  async relaunch(id: number): Promise<void> {
    await this.broker(id).relaunch();
    this.down.delete(id);
  }

  pause(id: number): void {
    process.kill(this.broker(id).pid!, 'SIGSTOP');
    this.stopped.add(id);
  }

  resume(id: number): void {
    process.kill(this.broker(id).pid!, 'SIGCONT');
    this.stopped.delete(id);
  }

  /** Metadata from the first live broker that answers (null topics = all). */
  async metadata(topics: string[] | null): Promise<MetadataResponse> {
    let last: unknown;
    for (const b of this.live()) {
      try {
        return await withClient(b.port, (c) => c.request(MetadataApi, 12, {
          topics: topics === null ? null : topics.map((name) => ({ name, topicId: NO_TOPIC_ID })), allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false,
        }));
      } catch (e) {
        last = e;
      }
    }
    throw new Error(`no live broker answered Metadata: ${String(last)}`);
  }

  async partition(topic: string, p: number): Promise<PartitionView> {
    const md = await this.metadata([topic]);
    const part = md.topics[0]?.partitions.find((x) => x.partitionIndex === p);
    if (part === undefined) throw new Error(`no metadata for ${topic}-${p}`);
    return { leader: part.leaderId, leaderEpoch: part.leaderEpoch ?? -1, replicas: part.replicaNodes, isr: part.isrNodes, offline: part.offlineReplicas ?? [] };
  }

  /** Creates a topic through a live broker and waits until every partition has a leader and full ISR. */
  async createTopic(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string> = {}): Promise<void> {
    const res = await withClient(this.live()[0]!.port, (c) => c.request(CreateTopicsApi, 7, {
      topics: [{ name, numPartitions, replicationFactor, assignments: [], configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })) }],
      timeoutMs: 10_000, validateOnly: false,
    }));
    const code = res.topics[0]!.errorCode;
    if (code !== 0) throw new Error(`CreateTopics ${name}: error ${code} ${res.topics[0]!.errorMessage ?? ''}`);
    await waitFor(`${name}: leaders and full ISR`, async () => {
      const md = await this.metadata([name]);
      const t = md.topics[0];
      return t !== undefined && t.errorCode === 0 && t.partitions.length === numPartitions
        && t.partitions.every((p) => p.leaderId >= 0 && p.isrNodes.length === replicationFactor);
    }, 30_000, 100);
  }

  /** Kills every broker by pid (a stopped one is continued first), stops ZooKeeper, removes temp dirs. */
  async close(): Promise<void> {
    for (const [i, b] of this.brokers.entries()) {
      if (this.stopped.has(i + 1) && b.pid !== undefined) {
        try { process.kill(b.pid, 'SIGCONT'); } catch { /* already gone */ }
      }
      await b.kill().catch(() => undefined);
      b.removeDir();
    }
    this.stopped.clear();
    await this.zk.stop().catch(() => undefined);
  }
}

export async function withClient<T>(port: number, fn: (c: TestClient) => Promise<T>): Promise<T> {
  const c = await TestClient.connect(port);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(c),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`request to port ${port} timed out`)), REQUEST_TIMEOUT_MS); }),
    ]);
  } finally {
    clearTimeout(timer);
    c.close();
  }
}

/** Bytes of each hosted partition of `topic` on broker `port` (DescribeLogDirs), by partition index. */
export async function partitionSizes(port: number, topic: string): Promise<Map<number, number>> {
  const res = await withClient(port, (c) => c.request(DescribeLogDirsApi, 4, { topics: null }));
  const out = new Map<number, number>();
  for (const dir of res.results) {
    for (const t of dir.topics) if (t.name === topic) for (const p of t.partitions) out.set(p.partitionIndex, p.partitionSize);
  }
  return out;
}
