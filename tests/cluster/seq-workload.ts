/**
 * The workload and checker of the replication tests: producers write unique sequence numbers
 * (decimal strings) with acks=all, one send in flight per partition so retries cannot reorder a
 * partition; the checker reads every partition back from offset 0 and compares with what was
 * acknowledged: lost (acknowledged, not readable: must be 0), duplicated (extra copies, allowed
 * without idempotence), unacknowledged-but-present (a failed send that did land), and order
 * violations (first copies of acknowledged values out of sequence order).
 */
import { Admin, Consumer, Producer } from '@tributary/client';
import { waitFor } from '../helpers/broker-process.ts';

export interface SeqProducerOptions {
  bootstrap: string[];
  topic: string;
  partitions: number;
  /** Records per send() call. */
  chunk?: number;
}

export class SeqProducer {
  readonly acked: number[][];
  /** Sequence numbers whose send() failed (retries exhausted): they may or may not be in the log. */
  readonly failed: number[][];
  readonly errors = new Map<string, number>();
  private nextSeq = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly producer: Producer;
  private readonly opts: Required<SeqProducerOptions>;

  constructor(opts: SeqProducerOptions) {
    this.opts = { chunk: 20, ...opts };
    this.acked = Array.from({ length: opts.partitions }, () => []);
    this.failed = Array.from({ length: opts.partitions }, () => []);
    this.producer = new Producer({
      bootstrapServers: opts.bootstrap, acks: -1, lingerMs: 2, retries: 30, retryBackoffMs: 200, requestTimeoutMs: 10_000, allowAutoTopicCreation: false,
    });
  }

  get ackedCount(): number {
    return this.acked.reduce((n, a) => n + a.length, 0);
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.running = true;
    this.loops = Array.from({ length: this.opts.partitions }, (_, p) => this.loop(p));
  }

  private async loop(partition: number): Promise<void> {
    while (this.running) {
      const seqs = Array.from({ length: this.opts.chunk }, () => this.nextSeq++);
      try {
        await this.producer.send({ topic: this.opts.topic, messages: seqs.map((s) => ({ partition, value: String(s) })) });
        this.acked[partition]!.push(...seqs);
      } catch (e) {
        this.failed[partition]!.push(...seqs);
        const code = (e as { code?: unknown }).code;
        const k = `${(e as Error).name}:${String(code)}`;
        this.errors.set(k, (this.errors.get(k) ?? 0) + 1);
      }
    }
  }

  /** Waits until `n` more records are acknowledged than now (or the deadline passes). */
  async waitForAcks(n: number, timeoutMs: number): Promise<void> {
    const target = this.ackedCount + n;
    await waitFor(`${n} more acknowledged records`, () => this.ackedCount >= target, timeoutMs, 20);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.producer.close();
  }
}

/** Reads every partition from offset 0 to its current end; returns the values per partition in offset order. */
export async function readAll(bootstrap: string[], topic: string, partitions: number, timeoutMs = 60_000): Promise<number[][]> {
  const admin = new Admin({ bootstrapServers: bootstrap });
  const consumer = new Consumer({ bootstrapServers: bootstrap, maxWaitMs: 200, autoOffsetReset: 'earliest' });
  try {
    await admin.connect();
    const ends = await admin.listOffsets(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, spec: 'latest' as const })));
    const end = new Map(ends.map((e) => [e.partition, e.offset]));
    await consumer.connect();
    consumer.assign(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, offset: 0 })));
    const out: number[][] = Array.from({ length: partitions }, () => []);
    const next: number[] = new Array(partitions).fill(0);
    const deadline = Date.now() + timeoutMs;
    while (next.some((o, p) => o < end.get(p)!)) {
      if (Date.now() > deadline) throw new Error(`reading ${topic} timed out at ${JSON.stringify(next)} of ${JSON.stringify([...end.values()])}`);
      for (const r of await consumer.poll()) {
        if (r.offset < next[r.partition]!) continue;
        out[r.partition]!.push(Number(r.value!.toString()));
        next[r.partition] = r.offset + 1;
      }
    }
    return out;
  } finally {
    await consumer.close().catch(() => undefined);
    await admin.close().catch(() => undefined);
  }
}

export interface CheckCounts {
  acknowledged: number;
  lost: number;
  duplicated: number;
  unacknowledgedPresent: number;
  orderViolations: number;
  read: number;
  /** A few lost values, for the failure message. */
  lostSample: number[];
}

export function check(acked: readonly number[][], read: readonly number[][]): CheckCounts {
  const c: CheckCounts = { acknowledged: 0, lost: 0, duplicated: 0, unacknowledgedPresent: 0, orderViolations: 0, read: 0, lostSample: [] };
  const ackedAll = new Set<number>();
  for (const a of acked) for (const s of a) ackedAll.add(s);
  for (const [p, values] of read.entries()) {
    c.read += values.length;
    const seen = new Set<number>();
    let lastFirst = -1;
    for (const v of values) {
      if (seen.has(v)) { c.duplicated++; continue; }
      seen.add(v);
      if (!ackedAll.has(v)) { c.unacknowledgedPresent++; continue; }
      if (v < lastFirst) c.orderViolations++;
      lastFirst = v;
    }
    for (const s of acked[p] ?? []) {
      c.acknowledged++;
      if (!seen.has(s)) {
        c.lost++;
        if (c.lostSample.length < 10) c.lostSample.push(s);
      }
    }
  }
  return c;
}
