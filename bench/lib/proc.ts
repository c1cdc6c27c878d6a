/**
 * Process helpers for the benchmark: CPU seconds of another process from /proc, spawning a
 * child and collecting its output, and percentiles.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux we run). */
const CLOCK_TICKS_PER_SEC = 100;

/** User + system CPU seconds consumed so far by a live process (all its threads). */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields after it are space separated.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / CLOCK_TICKS_PER_SEC;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Runs a command to completion. `stdoutToNull` sends its stdout to /dev/null (kcat consumers
 * write every record there; piping 1 GB into this process would cost CPU on a 2-core box).
 */
export function run(cmd: string, args: readonly string[], opts: { stdoutToNull?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = { stdio: ['ignore', opts.stdoutToNull ? 'ignore' : 'pipe', 'pipe'], env: opts.env ?? process.env };
    const start = performance.now();
    const child = spawn(cmd, args, spawnOpts);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); if (stderr.length > 1 << 20) stderr = stderr.slice(-(1 << 19)); });
    const timer = opts.timeoutMs === undefined ? null : setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} timed out after ${opts.timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, opts.timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - start) / 1000 });
    });
  });
}

/**
 * Runs `cmd args...` under bash and appends bash's `times` output to stderr, so the CPU of a
 * short-lived child (kcat) is exact even though it is gone when we look.
 * Returns the child's user + system CPU seconds alongside the run result.
 */
export async function runTimed(cmd: string, args: readonly string[], opts: { stdoutToNull?: boolean; timeoutMs?: number } = {}): Promise<RunResult & { cpuSeconds: number }> {
  const quoted = [cmd, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const script = `${quoted}; rc=$?; echo "@@times" >&2; times >&2; exit $rc`;
  const r = await run('bash', ['-c', script], opts);
  const at = r.stderr.lastIndexOf('@@times');
  let cpuSeconds = NaN;
  if (at >= 0) {
    const lines = r.stderr.slice(at).split('\n');
    // Second line of `times`: children's user and system time, e.g. "0m1.234s 0m0.567s".
    const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s/.exec(lines[2] ?? '');
    if (m) cpuSeconds = Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
    r.stderr = r.stderr.slice(0, at);
  }
  return { ...r, cpuSeconds };
}

/** Value at quantile `q` (0..1) of an ascending array (nearest rank). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function round(x: number, digits = 1): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
