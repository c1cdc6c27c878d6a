/**
 * A benchmark worker: a Node child process (TypeScript through tsx) that talks to the harness
 * with one JSON object per stdout line. Workers run in their own process so that their CPU and
 * event loop are separate from the harness and from the broker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

export class Worker {
  private readonly child: ChildProcess;
  private readonly queue: unknown[] = [];
  private readonly waiters: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private exited: Error | null = null;

  constructor(script: string, args: readonly string[], nodeArgs: readonly string[] = []) {
    this.child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', `${BENCH_DIR}workers/${script}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let v: unknown;
      try { v = JSON.parse(line); } catch { process.stderr.write(`[${script}] ${line}\n`); return; }
      const w = this.waiters.shift();
      if (w) w.resolve(v); else this.queue.push(v);
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      if (this.stderr.length > 1 << 16) this.stderr = this.stderr.slice(-(1 << 15));
    });
    this.child.once('exit', (code, signal) => {
      this.exited = new Error(`worker ${script} exited (code ${code}, signal ${signal}) before answering\n${this.stderr.slice(-4000)}`);
      for (const w of this.waiters.splice(0)) w.reject(this.exited);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The next JSON line the worker prints. */
  next<T>(timeoutMs = 600_000): Promise<T> {
    const v = this.queue.shift();
    if (v !== undefined) return Promise.resolve(v as T);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`worker timed out after ${timeoutMs} ms\n${this.stderr.slice(-4000)}`)), timeoutMs);
      this.waiters.push({
        resolve: (x) => { clearTimeout(t); resolve(x as T); },
        reject: (e) => { clearTimeout(t); reject(e); },
      });
    });
  }

  /** Sends one line to the worker's stdin. */
  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** Waits for exit; kills after `timeoutMs`. */
  async close(timeoutMs = 10_000): Promise<void> {
    const c = this.child;
    c.stdin!.end();
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { c.kill('SIGKILL'); }, timeoutMs);
      c.once('exit', () => { clearTimeout(t); resolve(); });
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
