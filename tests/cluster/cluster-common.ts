/**
 * In-process cluster brokers for tests/cluster: each `startBroker` with `zookeeper.connect` set, its
 * own temp log dir and a loopback port. `stopAll` closes every broker still running and removes the
 * dirs; call it in an after hook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetadataApi, type MetadataResponse } from '@tributary/protocol/generated/index.ts';
import { startBroker, silentLogger, type Broker } from '../../packages/broker/src/index.ts';
import { TestClient } from '../../packages/broker/test/test-client.ts';
import { REPO_ROOT, freePort, waitFor } from '../helpers/broker-process.ts';

const CLI = join(REPO_ROOT, 'packages/cli/bin/tributary.js');

export class ClusterNode {
  readonly id: number;
  readonly dir: string;
  readonly props: Record<string, string>;
  broker: Broker | null = null;

  constructor(id: number, zkConnect: string, extra: Record<string, string>) {
    this.id = id;
    this.dir = mkdtempSync(join(tmpdir(), `tributary-cluster-${id}-`));
    this.props = {
      'broker.id': String(id), 'listeners': 'PLAINTEXT://127.0.0.1:0', 'log.dirs': this.dir,
      'zookeeper.connect': zkConnect, 'zookeeper.session.timeout.ms': '2000', ...extra,
    };
  }

  async start(): Promise<Broker> {
    this.broker = await startBroker(this.props, { log: silentLogger, placementStart: () => 0 });
    return this.broker;
  }

  async stop(): Promise<void> {
    const b = this.broker;
    this.broker = null;
    await b?.close();
  }

  get running(): Broker {
    if (this.broker === null) throw new Error(`broker ${this.id} is not running`);
    return this.broker;
  }

  get port(): number {
    return this.running.listeners[0]!.port;
  }

  async metadata(topics: string[] | null = null): Promise<MetadataResponse> {
    const c = await TestClient.connect(this.port);
    try {
      return await c.request(MetadataApi, 12, { topics: topics === null ? null : topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })), allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    } finally {
      c.close();
    }
  }
}

export async function stopAll(nodes: readonly ClusterNode[]): Promise<void> {
  for (const n of nodes) {
    await n.stop().catch(() => undefined);
    rmSync(n.dir, { recursive: true, force: true });
  }
}

/**
 * A broker as a child process (`tributary start --roles broker`), for faults an in-process broker
 * cannot have (SIGKILL). Port and data dir stay the same across relaunches. `kill()` by pid;
 * `removeDir()` in an after hook.
 */
export class BrokerChild {
  readonly port: number;
  readonly dir: string;
  private readonly sets: string[];
  private child: ChildProcess | null = null;
  private output = '';

  private constructor(port: number, props: Record<string, string>) {
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), 'tributary-cluster-proc-'));
    this.sets = Object.entries({ 'listeners': `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': this.dir, ...props })
      .flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  }

  static async start(props: Record<string, string>): Promise<BrokerChild> {
    const b = new BrokerChild(await freePort(), props);
    await b.launch();
    return b;
  }

  get log(): string {
    return this.output;
  }

  async launch(): Promise<void> {
    const child = spawn(process.execPath, [CLI, 'start', '--roles', 'broker', ...this.sets], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onData = (d: Buffer): void => { this.output = (this.output + d.toString()).slice(-(1 << 18)); };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    await waitFor(`broker process on port ${this.port}`, () => {
      if (child.exitCode !== null) throw new Error(`broker exited during start:\n${this.output}`);
      return this.output.includes('"msg":"broker started"');
    }, 30_000, 50);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  removeDir(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
