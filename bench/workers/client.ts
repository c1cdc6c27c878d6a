// Our TypeScript client (@tributary/client) driven by the benchmark, one mode per process so its
// CPU and event loop are its own. Prints one JSON line with the result (CPU = process.cpuUsage()).
//
//   client.ts produce     BOOTSTRAP TOPIC COUNT SIZE      throughput producer (acks=all)
//   client.ts consume     BOOTSTRAP TOPIC PARTITIONS COUNT catch-up consumer from offset 0
//   client.ts e2e-consume BOOTSTRAP TOPIC                  prints {"ready":true}, then latencies
//   client.ts e2e-produce BOOTSTRAP TOPIC RATE SECONDS SIZE WARMUP_SECONDS
//
// Producer and consumer settings mirror the kcat (librdkafka) ones in bench/sections/kcat.ts.
import { randomBytes } from 'node:crypto';
import { Consumer, Producer, type ProducerMessage } from '@tributary/client';
import { percentile } from '../lib/proc.ts';

const [mode, bootstrap, topic] = process.argv.slice(2) as [string, string, string];
const num = (i: number): number => Number(process.argv[i + 2]);

/** Records per send() call and send() calls outstanding in the throughput producer. */
const SEND_BATCH_RECORDS = 1000;
const SENDS_IN_FLIGHT_MAX = 64;
/** Same as librdkafka's defaults and our kcat flags: linger 10 ms, 1 MB batches. */
const LINGER_MS = 10;
const BATCH_BYTES = 1_000_000;
const FETCH_MAX_BYTES = 52_428_800;
const PARTITION_FETCH_MAX_BYTES = 1_048_576;
const FETCH_WAIT_MAX_MS = 100;

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Wall clock in ms with sub-ms resolution, comparable across processes on one machine. */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function latencySummary(values: Float64Array | number[]): Record<string, number> {
  const sorted = Float64Array.from(values).sort();
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    count: sorted.length, p50: r(percentile(sorted, 0.5)), p90: r(percentile(sorted, 0.9)), p99: r(percentile(sorted, 0.99)),
    p999: r(percentile(sorted, 0.999)), max: r(sorted[sorted.length - 1] ?? NaN),
  };
}

async function produce(count: number, size: number): Promise<void> {
  const producer = new Producer({ bootstrapServers: bootstrap, acks: -1, compression: 'none', lingerMs: LINGER_MS, batchBytes: BATCH_BYTES, maxInFlight: 5 });
  await producer.connect();
  const value = randomBytes(size);
  // One shared array of message objects: the producer encodes at send time and keeps no reference.
  const messages: ProducerMessage[] = Array.from({ length: SEND_BATCH_RECORDS }, () => ({ value }));
  const sends = Math.ceil(count / SEND_BATCH_RECORDS);
  const latencies = new Float64Array(sends);
  let outstanding = 0;
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  const cpu0 = cpuSeconds();
  const start = performance.now();
  for (let s = 0; s < sends; s++) {
    const n = Math.min(SEND_BATCH_RECORDS, count - s * SEND_BATCH_RECORDS);
    const t0 = performance.now();
    outstanding++;
    producer.send({ topic, messages: n === SEND_BATCH_RECORDS ? messages : messages.slice(0, n) }).then(
      () => { latencies[s] = performance.now() - t0; },
      (err: unknown) => { failure ??= err; },
    ).finally(() => { outstanding--; wake?.(); });
    while (outstanding >= SENDS_IN_FLIGHT_MAX) await new Promise<void>((r) => (wake = r));
    if (failure !== null) throw failure;
  }
  await producer.flush();
  while (outstanding > 0) await new Promise<void>((r) => (wake = r));
  if (failure !== null) throw failure;
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuSeconds() - cpu0;
  await producer.close();
  console.log(JSON.stringify({ seconds, cpuSeconds: cpu, records: count, sendLatencyMs: latencySummary(latencies), sendRecords: SEND_BATCH_RECORDS }));
}

async function consume(partitions: number, count: number): Promise<void> {
  const consumer = new Consumer({ bootstrapServers: bootstrap, maxWaitMs: FETCH_WAIT_MAX_MS, maxBytes: FETCH_MAX_BYTES, partitionMaxBytes: PARTITION_FETCH_MAX_BYTES });
  await consumer.connect();
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
  let records = 0;
  let bytes = 0;
  const cpu0 = cpuSeconds();
  const start = performance.now();
  while (records < count) {
    const batch = await consumer.poll();
    records += batch.length;
    for (let i = 0; i < batch.length; i++) bytes += batch[i]!.value?.length ?? 0;
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuSeconds() - cpu0;
  await consumer.close();
  console.log(JSON.stringify({ seconds, cpuSeconds: cpu, records, bytes }));
}

/** Payload layout for latency runs: float64 intended send time (ms), uint8 1 = warm-up. */
const TS_OFFSET = 0;
const WARMUP_OFFSET = 8;
const IDLE_END_MS = 3_000;

async function e2eConsume(): Promise<void> {
  const consumer = new Consumer({ bootstrapServers: bootstrap, maxWaitMs: FETCH_WAIT_MAX_MS, autoOffsetReset: 'latest' });
  await consumer.connect();
  consumer.assign([{ topic, partition: 0 }]);
  await consumer.poll(); // resolves the starting offset before the producer begins
  console.log(JSON.stringify({ ready: true }));
  const latencies: number[] = [];
  let warmup = 0;
  let last = performance.now();
  while (performance.now() - last < IDLE_END_MS) {
    const batch = await consumer.poll();
    if (batch.length === 0) continue;
    const now = nowMs();
    last = performance.now();
    for (const r of batch) {
      const v = r.value!;
      if (v[WARMUP_OFFSET] === 1) { warmup++; continue; }
      latencies.push(now - v.readDoubleLE(TS_OFFSET));
    }
  }
  await consumer.close();
  console.log(JSON.stringify({ warmupRecords: warmup, e2eLatencyMs: latencySummary(latencies) }));
}

async function e2eProduce(rate: number, seconds: number, size: number, warmupSeconds: number): Promise<void> {
  const producer = new Producer({ bootstrapServers: bootstrap, acks: -1, compression: 'none', lingerMs: 0, maxInFlight: 5 });
  await producer.connect();
  const total = Math.round(rate * (warmupSeconds + seconds));
  const warmupCount = Math.round(rate * warmupSeconds);
  const ackLatencies: number[] = [];
  const pending = new Set<Promise<unknown>>();
  let sent = 0;
  let failure: unknown = null;
  const start = nowMs();
  await new Promise<void>((resolve) => {
    // Fixed schedule: record i is due at start + i/rate and carries that time, so a stalled
    // producer shows up as latency (no coordinated omission).
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((nowMs() - start) * rate) / 1000) + 1);
      if (due > sent) {
        const messages: ProducerMessage[] = [];
        for (; sent < due; sent++) {
          const value = Buffer.alloc(size);
          value.writeDoubleLE(start + (sent * 1000) / rate, TS_OFFSET);
          value[WARMUP_OFFSET] = sent < warmupCount ? 1 : 0;
          messages.push({ value, partition: 0 });
        }
        const measured = sent > warmupCount;
        const t0 = performance.now();
        const p = producer.send({ topic, messages }).then(
          () => { if (measured) ackLatencies.push(performance.now() - t0); },
          (err: unknown) => { failure ??= err; },
        );
        pending.add(p);
        void p.finally(() => pending.delete(p));
      }
      if (sent >= total || failure !== null) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(pending);
  if (failure !== null) throw failure;
  await producer.close();
  console.log(JSON.stringify({ records: total - warmupCount, ackLatencyMs: latencySummary(ackLatencies), sends: ackLatencies.length }));
}

async function main(): Promise<void> {
  switch (mode) {
    case 'produce': return produce(num(3), num(4));
    case 'consume': return consume(num(3), num(4));
    case 'e2e-consume': return e2eConsume();
    case 'e2e-produce': return e2eProduce(num(3), num(4), num(5), num(6));
    default: throw new Error(`unknown mode ${mode}`);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
