/**
 * A real ZooKeeper 3.8 (Debian's `zookeeper` package) on a free loopback port in a temp dir, for
 * cluster tests (reference/peers-here.md §2). `stop()` kills exactly the started JVM by pid and
 * removes the temp dir; call it in an after/finally hook. tickTime is 500 ms so session timeouts
 * down to 1 s (2 ticks) are honoured and expiry tests stay short.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zookeeper from 'node-zookeeper-client';
import { freePort, waitFor } from './broker-process.ts';

const CLASSPATH = '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
export const TICK_TIME_MS = 500;

function ruok(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let reply = '';
    s.once('connect', () => s.write('ruok'));
    s.on('data', (d) => { reply += d.toString(); });
    s.once('close', () => resolve(reply === 'imok'));
    s.once('error', () => resolve(false));
  });
}

export class ZooKeeperServer {
  readonly port: number;
  readonly dir: string;
  private readonly child: ChildProcess;
  private output = '';
  private exited = false;

  private constructor(port: number, dir: string, child: ChildProcess) {
    this.port = port;
    this.dir = dir;
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => { this.output = (this.output + d.toString()).slice(-65536); });
    child.stderr?.on('data', (d: Buffer) => { this.output = (this.output + d.toString()).slice(-65536); });
    child.once('exit', () => { this.exited = true; });
  }

  static async start(): Promise<ZooKeeperServer> {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-zk-'));
    const port = await freePort();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'zoo.cfg'), [
      `tickTime=${TICK_TIME_MS}`, `dataDir=${join(dir, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1',
      'admin.enableServer=false', '4lw.commands.whitelist=ruok,srvr,stat,mntr,conf', 'maxClientCnxns=0', '',
    ].join('\n'));
    const child = spawn('java', ['-Xmx256m', '-cp', CLASSPATH, 'org.apache.zookeeper.server.ZooKeeperServerMain', join(dir, 'zoo.cfg')],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const zk = new ZooKeeperServer(port, dir, child);
    try {
      await waitFor(`ZooKeeper on port ${port}`, async () => {
        if (zk.exited) throw new Error(`ZooKeeper exited during start:\n${zk.output}`);
        return ruok(port);
      }, START_TIMEOUT_MS, 100);
    } catch (e) {
      await zk.stop();
      throw e;
    }
    return zk;
  }

  /** host:port, optionally with a chroot ('/tributary'). */
  connectString(chroot = ''): string {
    return `127.0.0.1:${this.port}${chroot}`;
  }

  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (!this.exited && this.child.pid !== undefined) {
      this.child.kill('SIGTERM');
      try {
        await waitFor('ZooKeeper exit', () => this.exited, STOP_TIMEOUT_MS, 50);
      } catch {
        this.child.kill('SIGKILL');
        await waitFor('ZooKeeper exit after SIGKILL', () => this.exited, STOP_TIMEOUT_MS, 50);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A loopback TCP proxy in front of ZooKeeper, to partition a client from it: `cut()` drops every
 * connection and refuses new ones until `restore()`. A client cut off for longer than its session
 * timeout has its session expired by the server, exactly as in a real network partition.
 */
export class ZooKeeperProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private isCut = false;
  port = 0;

  private constructor(targetPort: number) {
    this.server = createServer((client) => {
      if (this.isCut) { client.destroy(); return; }
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => { this.sockets.delete(s); client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  static async start(zk: ZooKeeperServer): Promise<ZooKeeperProxy> {
    const p = new ZooKeeperProxy(zk.port);
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    p.port = (p.server.address() as { port: number }).port;
    return p;
  }

  connectString(chroot = ''): string {
    return `127.0.0.1:${this.port}${chroot}`;
  }

  cut(): void {
    this.isCut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.isCut = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A plain client for test assertions on raw nodes; close it in finally. */
export async function rawClient(connectString: string): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: 30_000 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ZooKeeper connect timeout')), 10_000);
    client.once('connected', () => { clearTimeout(timer); resolve(); });
    client.connect();
  });
  return client;
}

export function readJson(client: zookeeper.Client, path: string): Promise<{ data: unknown; version: number } | undefined> {
  return new Promise((resolve, reject) => {
    client.getData(path, (e, data, stat) => {
      if (e) {
        if ((e as { code?: number }).code === zookeeper.Exception.NO_NODE) resolve(undefined);
        else reject(e);
        return;
      }
      resolve({ data: JSON.parse(data.toString()), version: stat.version });
    });
  });
}
