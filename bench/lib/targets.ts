/**
 * The servers the benchmark drives: our broker (`tributary start` in a child process, optionally
 * under `node --cpu-prof`) and librdkafka's mock cluster (bench/peers/mock-cluster.c, compiled on
 * first use). Both expose `bootstrap`, `pid` (for /proc CPU), `createTopic` and `stop`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Admin } from '@tributary/client';
import { freePort, waitFor, REPO_ROOT } from '../../tests/helpers/broker-process.ts';
import { BENCH_DIR } from './worker.ts';

const CLI = join(REPO_ROOT, 'packages/cli/bin/tributary.js');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface Target {
  readonly name: string;
  readonly bootstrap: string;
  readonly pid: number;
  createTopic(topic: string, partitions: number): Promise<void>;
  stop(): Promise<void>;
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => { clearTimeout(t); resolve(true); });
  });
}

export interface OurBrokerOptions {
  /** Extra configs passed as --set key=value. */
  readonly config?: Record<string, string>;
  /** Directory for a V8 CPU profile (`node --cpu-prof`), written when the broker exits. */
  readonly cpuProfDir?: string;
}

export class OurBroker implements Target {
  readonly name = 'tributary';
  private output = '';

  private constructor(private readonly child: ChildProcess, readonly port: number, readonly dataDir: string) {}

  static async start(opts: OurBrokerOptions = {}): Promise<OurBroker> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
    const sets = Object.entries({ 'listeners': `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': dataDir, ...opts.config })
      .flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`] : [];
    const child = spawn(process.execPath, [...nodeArgs, CLI, 'start', '--roles', 'broker', ...sets], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const b = new OurBroker(child, port, dataDir);
    const onData = (d: Buffer): void => {
      b.output += d.toString();
      if (b.output.length > 1 << 18) b.output = b.output.slice(-(1 << 17));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    try {
      await waitFor(`broker on port ${port}`, async () => {
        if (child.exitCode !== null) throw new Error(`broker exited during start (code ${child.exitCode}):\n${b.output}`);
        const admin = new Admin({ bootstrapServers: b.bootstrap, retries: 0 });
        try { await admin.connect(); return true; } catch { return false; } finally { await admin.close().catch(() => {}); }
      }, START_TIMEOUT_MS, 100);
    } catch (e) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
    return b;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get log(): string {
    return this.output;
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    const admin = new Admin({ bootstrapServers: this.bootstrap });
    await admin.connect();
    try {
      await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
    } finally {
      await admin.close();
    }
  }

  /** SIGTERM (graceful, so a CPU profile gets written), SIGKILL if it hangs; removes the data dir. */
  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    if (!(await waitExit(this.child, STOP_TIMEOUT_MS))) {
      this.child.kill('SIGKILL');
      await waitExit(this.child, STOP_TIMEOUT_MS);
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Compiles bench/peers/mock-cluster.c once per source version into the temp dir. */
function mockBinary(): string {
  const src = join(BENCH_DIR, 'peers/mock-cluster.c');
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'tributary-bench-bin');
  const bin = join(dir, `mock-cluster-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('gcc', ['-O2', '-o', bin, src, '-lrdkafka'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot build the librdkafka mock host (needs gcc and librdkafka-dev): ${r.error?.message ?? r.stderr}`);
  return bin;
}

export class MockCluster implements Target {
  readonly name = 'librdkafka-mock';
  private readonly answers: string[] = [];
  private readonly waiters: Array<(line: string) => void> = [];

  private constructor(private readonly child: ChildProcess, readonly bootstrap: string) {}

  static async start(): Promise<MockCluster> {
    const child = spawn(mockBinary(), ['1'], { stdio: ['pipe', 'pipe', 'ignore'] });
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('mock cluster did not start')), START_TIMEOUT_MS);
      lines.once('line', (l) => { clearTimeout(t); resolve(l); });
      child.once('exit', (code) => reject(new Error(`mock cluster exited (code ${code})`)));
    });
    const m = /^bootstrap (\S+)/.exec(first);
    if (!m) { child.kill('SIGKILL'); throw new Error(`unexpected mock output: ${first}`); }
    const mock = new MockCluster(child, m[1]!.split(',')[0]!);
    lines.on('line', (l) => {
      const w = mock.waiters.shift();
      if (w) w(l); else mock.answers.push(l);
    });
    return mock;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    this.child.stdin!.write(`create ${topic} ${partitions}\n`);
    const answer = this.answers.shift() ?? await new Promise<string>((r) => this.waiters.push(r));
    if (answer !== `ok ${topic}`) throw new Error(`mock cluster: ${answer}`);
  }

  async stop(): Promise<void> {
    this.child.stdin!.end();
    if (!(await waitExit(this.child, 5_000))) {
      this.child.kill('SIGKILL');
      await waitExit(this.child, STOP_TIMEOUT_MS);
    }
  }
}
