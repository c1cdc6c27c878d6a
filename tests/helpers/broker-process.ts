/**
 * Runs a real Tributary broker as a child process (`tributary start`) on a loopback port, for
 * interop tests and benchmarks. The port is chosen up front so a restarted broker comes back at
 * the same address that clients already know. Always call `stop()` (or `kill()`) and
 * `removeDir()` in a finally/after hook.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(REPO_ROOT, 'packages/cli/bin/tributary.js');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export interface BrokerProcessOptions {
  /** Extra broker configs, passed as --set key=value. */
  readonly config?: Record<string, string>;
  readonly port?: number;
  readonly dataDir?: string;
  /** Echo the broker's output (for debugging). */
  readonly verbose?: boolean;
  /** `--roles` for `tributary start`; default 'broker' so brokers on one machine don't all bind the registry's port. */
  readonly roles?: string;
  /** Extra command-line arguments for `tributary start`. */
  readonly args?: readonly string[];
}

export class BrokerProcess {
  readonly port: number;
  readonly dataDir: string;
  readonly config: Record<string, string>;
  private child: ChildProcess | undefined;
  private output = '';
  private readonly verbose: boolean;
  private readonly extraArgs: readonly string[];

  private constructor(port: number, dataDir: string, config: Record<string, string>, verbose: boolean, extraArgs: readonly string[]) {
    this.port = port;
    this.dataDir = dataDir;
    this.config = config;
    this.verbose = verbose;
    this.extraArgs = extraArgs;
  }

  static async start(opts: BrokerProcessOptions = {}): Promise<BrokerProcess> {
    const port = opts.port ?? (await freePort());
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tributary-it-'));
    const args = ['--roles', opts.roles ?? 'broker', ...(opts.args ?? [])];
    const b = new BrokerProcess(port, dataDir, { ...(opts.config ?? {}) }, opts.verbose ?? !!process.env.TRIBUTARY_IT_VERBOSE, args);
    await b.launch();
    return b;
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Everything the broker printed so far (stdout and stderr). */
  get log(): string {
    return this.output;
  }

  private async launch(): Promise<void> {
    const sets = Object.entries({
      'listeners': `PLAINTEXT://127.0.0.1:${this.port}`,
      'log.dirs': this.dataDir,
      ...this.config,
    }).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    const child = spawn(process.execPath, [CLI, 'start', ...this.extraArgs, ...sets], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onData = (d: Buffer) => {
      this.output += d.toString();
      if (this.output.length > 1 << 20) this.output = this.output.slice(-(1 << 19));
      if (this.verbose) process.stderr.write(d);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    let exited = false;
    child.once('exit', () => { exited = true; });
    await waitFor(`broker on port ${this.port}`, async () => {
      if (exited) throw new Error(`broker exited during start (code ${child.exitCode}):\n${this.output}`);
      return canConnect(this.port);
    }, START_TIMEOUT_MS, 50);
  }

  private async waitExit(timeoutMs: number): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`broker pid ${child.pid} did not exit within ${timeoutMs} ms`)), timeoutMs);
      child.once('exit', (code) => { clearTimeout(t); resolve(code); });
    });
  }

  /** Graceful stop (SIGTERM); resolves with the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    child.kill('SIGTERM');
    try {
      return await this.waitExit(STOP_TIMEOUT_MS);
    } catch (e) {
      child.kill('SIGKILL');
      await this.waitExit(STOP_TIMEOUT_MS);
      throw e;
    }
  }

  /** Hard kill (SIGKILL), as after a crash or power loss of the process. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.waitExit(STOP_TIMEOUT_MS);
  }

  /** Starts the broker again on the same port and data directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Starts the broker again after kill(). */
  async relaunch(): Promise<void> {
    await this.launch();
  }

  removeDir(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
