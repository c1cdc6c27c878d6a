/**
 * Ratios, PASS/FAIL lines and the human summary. Every goal is a ratio of two figures measured
 * in the same run (reference/performance.md, section 4), so the verdict survives a slow VM day.
 */
import type { GroupTimings } from '../sections/group.ts';
import type { LatencyResult } from '../sections/latency.ts';
import type { LoopbackResult, PageCacheResult } from '../sections/loopback.ts';
import type { PhaseResult } from '../sections/throughput.ts';
import { round } from './proc.ts';

export interface Check {
  name: string;
  value: number;
  goal: number;
  pass: boolean;
}

export interface Ratio {
  name: string;
  numerator: string;
  denominator: string;
  ratio: number;
}

/** One row per (client, server, phase, size): the rep with the median msg/s, listing all reps. */
export function medianPhases(all: readonly PhaseResult[]): PhaseResult[] {
  const groups = new Map<string, PhaseResult[]>();
  for (const p of all) {
    const k = `${p.client}|${p.server}|${p.phase}|${p.recordBytes}`;
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(p);
  }
  return [...groups.values()].map((g) => {
    const sorted = [...g].sort((a, b) => a.msgPerSec - b.msgPerSec);
    return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, repsMsgPerSec: g.map((p) => p.msgPerSec) };
  });
}

function find(phases: readonly PhaseResult[], client: string, server: string, phase: string, size: number): PhaseResult | undefined {
  return phases.find((p) => p.client === client && p.server === server && p.phase === phase && p.recordBytes === size);
}

export function computeChecks(phases: readonly PhaseResult[], sizes: readonly number[]): { ratios: Ratio[]; checks: Check[] } {
  const ratios: Ratio[] = [];
  const checks: Check[] = [];
  const add = (name: string, num: PhaseResult | undefined, den: PhaseResult | undefined, goal: number): void => {
    if (!num || !den) return;
    const ratio = round(num.msgPerSec / den.msgPerSec, 3);
    ratios.push({ name, numerator: `${num.client} -> ${num.server}`, denominator: `${den.client} -> ${den.server}`, ratio });
    checks.push({ name: `${name} >= ${goal}`, value: ratio, goal, pass: ratio >= goal });
  };
  for (const size of sizes) {
    for (const phase of ['produce', 'consume'] as const) {
      add(`${phase} ${size} B: kcat->tributary / kcat->mock`, find(phases, 'kcat', 'tributary', phase, size), find(phases, 'kcat', 'librdkafka-mock', phase, size), 0.7);
    }
    for (const phase of ['produce', 'consume'] as const) {
      add(`${phase} ${size} B: our client / kcat (both -> tributary)`, find(phases, 'tributary-client', 'tributary', phase, size), find(phases, 'kcat', 'tributary', phase, size), 0.5);
    }
  }
  return { ratios, checks };
}

const range = (xs: readonly number[] | undefined): string => (xs && xs.length > 1 ? `[${num(Math.min(...xs))}-${num(Math.max(...xs))}]` : '');
const pad = (s: string, n: number): string => s.padEnd(n);
const num = (x: number): string => (Number.isFinite(x) ? x.toLocaleString('en-US') : 'n/a');

export function summary(r: {
  loopback?: LoopbackResult; pageCache?: PageCacheResult; phases: readonly PhaseResult[]; latency?: LatencyResult;
  group?: readonly GroupTimings[]; checks: readonly Check[]; durability: string;
  records: number; reps: number; partitions: number; errors: readonly string[];
}): string {
  const out: string[] = [];
  out.push(`Tributary benchmark: ${num(r.records)} records per phase, ${r.partitions} partitions, single node, median of ${r.reps} rep(s) [min-max msg/s].`);
  out.push(`Durability: ${r.durability}.`);
  if (r.loopback) {
    const l = r.loopback;
    out.push(`Raw loopback (Node, 1 MiB writes): ${num(l.MBps)} MB/s (reader ${l.readerCpuPerSec} CPU/s, writer ${l.writerCpuPerSec} CPU/s)`);
  }
  if (r.pageCache) {
    const c = r.pageCache;
    out.push(`Page-cache write ceiling (writeSync ${c.writeBytes / 1024} KiB x ${c.files} fresh files, no fsync): ${num(c.MBps)} MB/s`);
  }
  if (r.phases.length > 0) {
    out.push('');
    out.push(`${pad('client -> server', 34)}${pad('phase', 9)}${pad('size', 7)}${pad('msg/s', 11)}${pad('MB/s', 9)}${pad('s', 8)}${pad('srv CPU/s', 11)}${pad('cli CPU/s', 10)}reps`);
    for (const p of r.phases) {
      out.push(`${pad(`${p.client} -> ${p.server}`, 34)}${pad(p.phase, 9)}${pad(`${p.recordBytes}`, 7)}${pad(num(p.msgPerSec), 11)}${pad(String(p.MBps), 9)}${pad(String(p.seconds), 8)}${pad(String(p.serverCpuPerSec), 11)}${pad(String(p.clientCpuPerSec), 10)}${range(p.repsMsgPerSec)}`);
    }
  }
  if (r.latency) {
    const l = r.latency;
    const e = l.e2eLatencyMs;
    const a = l.ackLatencyMs;
    out.push('');
    out.push(`Latency, ${l.recordBytes} B at ${num(l.ratePerSec)} msg/s for ${l.seconds} s (our client, 1 partition):`);
    out.push(`  end-to-end  p50 ${e.p50} ms  p99 ${e.p99} ms  p99.9 ${e.p999} ms  max ${e.max} ms  (G9 floor 2/10/25, target 1/5/15)`);
    out.push(`  produce ack p50 ${a.p50} ms  p99 ${a.p99} ms  (${l.ackLatencyUnit})`);
  }
  if (r.group !== undefined && r.group.length > 0) {
    const g0 = r.group[0]!;
    out.push('');
    out.push(`Consumer group, our client, ${g0.members} members, ${g0.partitions} partitions, ${g0.assignor} assignor, median of ${g0.rounds} fresh group(s) [all]:`);
    for (const g of r.group) {
      const j = g.joinToStableMs;
      const f = g.subscribeToFirstRecordMs;
      out.push(`  group.initial.rebalance.delay.ms=${pad(String(g.initialRebalanceDelayMs), 5)} first JoinGroup -> all Stable ${j.median} ms [${j.all.join(', ')}]   subscribe -> first record ${f.median} ms [${f.all.join(', ')}]`);
    }
  }
  if (r.checks.length > 0) {
    out.push('');
    for (const c of r.checks) out.push(`${c.pass ? 'PASS' : 'FAIL'}  ${pad(c.name, 62)} ${c.value}`);
  }
  for (const e of r.errors) out.push(`ERROR ${e}`);
  return out.join('\n');
}
