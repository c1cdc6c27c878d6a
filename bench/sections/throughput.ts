/**
 * Throughput phases: one producer writes COUNT records of SIZE bytes to a fresh topic (acks=all),
 * then one consumer reads them all back from the beginning. Each phase records wall time, the
 * client's CPU and the server's CPU (from /proc/<pid>/stat).
 *
 * kcat (librdkafka 2.x) gets identical flags against both servers. Our client (bench/workers/
 * client.ts) mirrors them: linger 10 ms, 1 MB batches, 1 MiB per partition per fetch.
 */
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSecondsOf, round, runTimed } from '../lib/proc.ts';
import type { Target } from '../lib/targets.ts';
import { Worker } from '../lib/worker.ts';

export const KCAT_PRODUCER_FLAGS = [
  '-X', 'acks=all', '-X', 'linger.ms=10', '-X', 'batch.size=1000000', '-X', 'batch.num.messages=10000',
  '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576',
  '-X', 'compression.codec=none',
];
export const KCAT_CONSUMER_FLAGS = [
  '-X', 'fetch.max.bytes=52428800', '-X', 'max.partition.fetch.bytes=1048576', '-X', 'fetch.wait.max.ms=100',
];

export interface PhaseResult {
  client: string;
  server: string;
  phase: 'produce' | 'consume';
  recordBytes: number;
  records: number;
  seconds: number;
  msgPerSec: number;
  MBps: number;
  serverCpuSeconds: number;
  serverCpuPerSec: number;
  /** Server CPU-seconds per GB of record payload (G5 in reference/performance.md). */
  serverCpuSecPerGB: number;
  clientCpuSeconds: number;
  clientCpuPerSec: number;
  /** Which repetition this is (1-based); on a median row, the rep that was the median. */
  rep?: number;
  /** On a median row: msg/s of every rep. */
  repsMsgPerSec?: number[];
  /** Extra facts, e.g. our producer's per-send() ack latency. */
  detail?: Record<string, unknown>;
}

function phaseResult(client: string, target: Target, phase: PhaseResult['phase'], size: number, records: number, seconds: number,
  serverCpu: number, clientCpu: number, detail?: Record<string, unknown>): PhaseResult {
  return {
    client, server: target.name, phase, recordBytes: size, records, seconds: round(seconds, 3),
    msgPerSec: Math.round(records / seconds), MBps: round((records * size) / 1e6 / seconds),
    serverCpuSeconds: round(serverCpu, 2), serverCpuPerSec: round(serverCpu / seconds, 2),
    serverCpuSecPerGB: round(serverCpu / ((records * size) / 1e9), 2),
    clientCpuSeconds: round(clientCpu, 2), clientCpuPerSec: round(clientCpu / seconds, 2),
    ...(detail ? { detail } : {}),
  };
}

/** A file of COUNT newline-terminated records of exactly SIZE printable bytes, for `kcat -P -l`. */
export function recordFile(dir: string, count: number, size: number): string {
  const path = join(dir, `records-${size}x${count}.txt`);
  if (existsSync(path) && statSync(path).size === count * (size + 1)) return path;
  const line = Buffer.alloc(size + 1);
  for (let i = 0; i < size; i++) line[i] = 0x41 + ((i * 7 + (i >> 3)) % 26);
  line[size] = 0x0a;
  const perChunk = Math.max(1, Math.floor((4 << 20) / line.length));
  const chunk = Buffer.alloc(perChunk * line.length);
  for (let i = 0; i < perChunk; i++) line.copy(chunk, i * line.length);
  const fd = openSync(path, 'w');
  try {
    for (let left = count; left > 0; left -= perChunk) writeSync(fd, chunk, 0, Math.min(left, perChunk) * line.length);
  } finally {
    closeSync(fd);
  }
  return path;
}

export async function kcatProduce(target: Target, topic: string, file: string, count: number, size: number): Promise<PhaseResult> {
  const cpu0 = cpuSecondsOf(target.pid);
  const r = await runTimed('kcat', ['-b', target.bootstrap, '-P', '-t', topic, '-l', file, ...KCAT_PRODUCER_FLAGS], { timeoutMs: 600_000 });
  const serverCpu = cpuSecondsOf(target.pid) - cpu0;
  if (r.code !== 0 || /fail|error/i.test(r.stderr)) throw new Error(`kcat produce to ${target.name} failed (code ${r.code}): ${r.stderr.slice(-2000)}`);
  return phaseResult('kcat', target, 'produce', size, count, r.seconds, serverCpu, r.cpuSeconds);
}

export async function kcatConsume(target: Target, topic: string, count: number, size: number): Promise<PhaseResult> {
  const cpu0 = cpuSecondsOf(target.pid);
  // Without -q kcat reports "Reached end of topic T [p] at offset N" per partition: their sum
  // is the number of records read (fresh topic, offsets from 0). Records go to /dev/null.
  const r = await runTimed('kcat', ['-b', target.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', ...KCAT_CONSUMER_FLAGS],
    { stdoutToNull: true, timeoutMs: 600_000 });
  const serverCpu = cpuSecondsOf(target.pid) - cpu0;
  let read = 0;
  for (const m of r.stderr.matchAll(/Reached end of topic \S+ \[\d+\] at offset (\d+)/g)) read += Number(m[1]);
  if (r.code !== 0 || read !== count) throw new Error(`kcat consume from ${target.name}: code ${r.code}, ${read} of ${count} records: ${r.stderr.slice(-2000)}`);
  return phaseResult('kcat', target, 'consume', size, count, r.seconds, serverCpu, r.cpuSeconds);
}

export async function clientProduce(target: Target, topic: string, count: number, size: number): Promise<PhaseResult> {
  const cpu0 = cpuSecondsOf(target.pid);
  const w = new Worker('client.ts', ['produce', target.bootstrap, topic, String(count), String(size)]);
  try {
    const r = await w.next<{ seconds: number; cpuSeconds: number; sendLatencyMs: Record<string, number>; sendRecords: number }>();
    const serverCpu = cpuSecondsOf(target.pid) - cpu0;
    return phaseResult('tributary-client', target, 'produce', size, count, r.seconds, serverCpu, r.cpuSeconds,
      { sendLatencyMs: r.sendLatencyMs, latencyUnit: `send() of ${r.sendRecords} records to ack` });
  } finally {
    await w.close();
  }
}

export async function clientConsume(target: Target, topic: string, partitions: number, count: number, size: number): Promise<PhaseResult> {
  const cpu0 = cpuSecondsOf(target.pid);
  const w = new Worker('client.ts', ['consume', target.bootstrap, topic, String(partitions), String(count)]);
  try {
    const r = await w.next<{ seconds: number; cpuSeconds: number; records: number; bytes: number }>();
    const serverCpu = cpuSecondsOf(target.pid) - cpu0;
    if (r.records !== count || r.bytes !== count * size) throw new Error(`client consume: ${r.records} records, ${r.bytes} bytes, expected ${count}`);
    return phaseResult('tributary-client', target, 'consume', size, count, r.seconds, serverCpu, r.cpuSeconds);
  } finally {
    await w.close();
  }
}
