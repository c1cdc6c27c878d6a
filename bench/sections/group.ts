/**
 * Consumer group timings (issue 3): a 10-member group's first JoinGroup to all members Stable,
 * and a fresh member's subscribe to its first record. Runs packages/client/bench/group.bench.ts
 * in its own process against our broker, once per `group.initial.rebalance.delay.ms` value (the
 * harness starts a fresh broker per value), taking the median of `rounds` fresh groups.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tests/helpers/broker-process.ts';
import type { Target } from '../lib/targets.ts';

const GROUP_BENCH = join(REPO_ROOT, 'packages/client/bench/group.bench.ts');
const GROUP_BENCH_TIMEOUT_MS = 300_000;
const OUTPUT_BYTES_MAX = 1 << 16;

export interface GroupTimings {
  /** The broker's group.initial.rebalance.delay.ms for this measurement. */
  initialRebalanceDelayMs: number;
  members: number;
  partitions: number;
  assignor: string;
  rounds: number;
  joinToStableMs: { median: number; all: number[] };
  subscribeToFirstRecordMs: { median: number; all: number[] };
}

export interface GroupBenchOptions {
  members?: number;
  partitions?: number;
  rounds: number;
}

/** Runs group.bench.ts against `target`; rejects if it fails, times out, or prints no result. */
export function runGroup(target: Target, initialRebalanceDelayMs: number, opts: GroupBenchOptions): Promise<GroupTimings> {
  const argv = [
    '--import', 'tsx', GROUP_BENCH, '--bootstrap', target.bootstrap, '--rounds', String(opts.rounds),
    '--members', String(opts.members ?? 10), '--partitions', String(opts.partitions ?? 20),
  ];
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout = (stdout + d.toString()).slice(-OUTPUT_BYTES_MAX); });
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-OUTPUT_BYTES_MAX); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`group bench timed out after ${GROUP_BENCH_TIMEOUT_MS} ms\n${stderr.slice(-4000)}`));
    }, GROUP_BENCH_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
      if (code !== 0 || line === undefined) {
        reject(new Error(`group bench exited (code ${code}, signal ${signal}) without a result\n${stderr.slice(-4000)}`));
        return;
      }
      const r = JSON.parse(line) as Omit<GroupTimings, 'initialRebalanceDelayMs'>;
      if (r.joinToStableMs.all.some((x) => x < 0) || r.subscribeToFirstRecordMs.all.some((x) => x < 0)) {
        reject(new Error(`group bench hit its deadline in some round: ${line}`));
        return;
      }
      resolve({
        initialRebalanceDelayMs, members: r.members, partitions: r.partitions, assignor: r.assignor, rounds: r.rounds,
        joinToStableMs: r.joinToStableMs, subscribeToFirstRecordMs: r.subscribeToFirstRecordMs,
      });
    });
  });
}
