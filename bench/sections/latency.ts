/**
 * Latency at light load: a fixed-rate producer process (1 KiB records carrying their scheduled
 * send time) and a consumer process on one partition. End-to-end = consumer's receive time minus
 * the scheduled time (no coordinated omission); ack latency = send() call to acks=all answer.
 */
import { cpuSecondsOf, round } from '../lib/proc.ts';
import type { Target } from '../lib/targets.ts';
import { Worker } from '../lib/worker.ts';

export interface LatencyResult {
  recordBytes: number;
  ratePerSec: number;
  seconds: number;
  warmupSeconds: number;
  records: number;
  e2eLatencyMs: Record<string, number>;
  ackLatencyMs: Record<string, number>;
  ackLatencyUnit: string;
  serverCpuPerSec: number;
}

export async function runLatency(target: Target, topic: string, rate: number, seconds: number, size = 1024, warmupSeconds = 1): Promise<LatencyResult> {
  await target.createTopic(topic, 1);
  const consumer = new Worker('client.ts', ['e2e-consume', target.bootstrap, topic]);
  let producer: Worker | null = null;
  try {
    await consumer.next<{ ready: boolean }>(60_000);
    const cpu0 = cpuSecondsOf(target.pid);
    const t0 = performance.now();
    producer = new Worker('client.ts', ['e2e-produce', target.bootstrap, topic, String(rate), String(seconds), String(size), String(warmupSeconds)]);
    const p = await producer.next<{ records: number; ackLatencyMs: Record<string, number>; sends: number }>();
    const serverCpu = cpuSecondsOf(target.pid) - cpu0;
    const wall = (performance.now() - t0) / 1000;
    const c = await consumer.next<{ warmupRecords: number; e2eLatencyMs: Record<string, number> }>();
    if (c.e2eLatencyMs.count !== p.records) throw new Error(`latency: consumer saw ${c.e2eLatencyMs.count} of ${p.records} records`);
    return {
      recordBytes: size, ratePerSec: rate, seconds, warmupSeconds, records: p.records,
      e2eLatencyMs: c.e2eLatencyMs, ackLatencyMs: p.ackLatencyMs,
      ackLatencyUnit: `one send() per 1 ms tick (~${Math.round(rate / 1000)} records), linger 0, acks=all`,
      serverCpuPerSec: round(serverCpu / wall, 2),
    };
  } finally {
    await producer?.close();
    await consumer.close();
  }
}
