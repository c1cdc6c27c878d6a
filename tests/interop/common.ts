/**
 * Shared pieces of the interop suite: the records every client produces, the checks every client's
 * consumed output must pass, and runners for the Python and kcat child processes.
 *
 * The same record set is used for every client and codec: `RECORDS_PER_CODEC` keyed records whose
 * values are unique (`<codec>|<index>|...`), so a consumed record can be matched back to the one
 * produced, and whose keys repeat (`KEY_COUNT` distinct keys), so per-key order is exercised.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Imported by path, not through the package index, so the suite does not load the whole client.
import { murmur2, toPositive } from '@tributary/client/producer/murmur2.ts';
import { REPO_ROOT } from '../helpers/broker-process.ts';

export const RECORDS_PER_CODEC = 10_000;
export const PARTITIONS = 6;
const KEY_COUNT = 1000;
/** Debian's python3, which sees python3-confluent-kafka and python3-kafka (pyenv's python3 does not). */
export const PYTHON = '/usr/bin/python3';
export const PYTHON_DIR = join(REPO_ROOT, 'tests/interop/python');

export interface TestRecord {
  readonly index: number;
  readonly key: string;
  readonly value: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** A record as a client consumed it. Keys, values and header values are UTF-8 strings (null: absent). */
export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: ReadonlyArray<readonly [string, string | null]>;
}

/**
 * The records a client produces for one codec. `perRecordHeaders: false` gives every record the same
 * headers (kcat can only set headers per run).
 */
export function makeRecords(codec: string, count = RECORDS_PER_CODEC, perRecordHeaders = true): TestRecord[] {
  const out: TestRecord[] = [];
  for (let i = 0; i < count; i++) {
    const key = `key-${i % KEY_COUNT}`;
    // Repetitive payload so that compression actually shrinks the batches.
    const value = `${codec}|${i}|payload-${'abcdefgh'.repeat(4)}`;
    const headers: Array<readonly [string, string]> = perRecordHeaders
      ? [['idx', String(i)], ['codec', codec], ['client', 'interop']]
      : [['codec', codec], ['client', 'interop']];
    out.push({ index: i, key, value, headers });
  }
  return out;
}

/** Java's default partitioner for a keyed record: toPositive(murmur2(key)) % n. */
export function javaPartition(key: string, partitions: number): number {
  return toPositive(murmur2(Buffer.from(key, 'utf8'))) % partitions;
}

export interface VerifyOptions {
  readonly partitions: number;
  /** The topic holds exactly these records, produced in one run: offsets must be 0..n-1 per partition. */
  readonly contiguousFromZero?: boolean;
  /** Check key placement against Java's murmur2 partitioner. */
  readonly javaPlacement?: boolean;
}

/**
 * Checks a client's consumed records against what it produced: every record exactly once with its
 * key, value and headers; per-partition offsets strictly increasing (and 0..n-1 when asked); records
 * of a partition in produced order (which implies per-key order); key-to-partition placement.
 */
export function verifyConsumed(produced: readonly TestRecord[], consumed: readonly ConsumedRecord[], opts: VerifyOptions): void {
  const byValue = new Map<string, TestRecord>();
  for (const r of produced) byValue.set(r.value, r);
  const seen = new Set<string>();
  const lastOffset = new Map<number, number>();
  const lastIndex = new Map<number, number>();
  const perPartition = new Map<number, number>();
  for (const c of consumed) {
    assert.ok(c.value !== null, `record without value at ${c.partition}/${c.offset}`);
    const p = byValue.get(c.value);
    assert.ok(p, `unexpected record ${JSON.stringify(c)}`);
    assert.ok(!seen.has(c.value), `duplicate record ${c.value} at ${c.partition}/${c.offset}`);
    seen.add(c.value);
    assert.equal(c.key, p.key, `key of ${c.value}`);
    assert.deepEqual(c.headers.map(([k, v]) => [k, v]), p.headers.map(([k, v]) => [k, v]), `headers of ${c.value}`);
    assert.ok(c.partition >= 0 && c.partition < opts.partitions, `partition ${c.partition} out of range`);
    if (opts.javaPlacement !== false) {
      assert.equal(c.partition, javaPartition(p.key, opts.partitions), `partition of key ${p.key} (value ${c.value})`);
    }
    const prevOffset = lastOffset.get(c.partition) ?? -1;
    assert.ok(c.offset > prevOffset, `offsets not increasing in partition ${c.partition}: ${prevOffset} then ${c.offset}`);
    if (opts.contiguousFromZero) assert.equal(c.offset, prevOffset + 1, `offset gap in partition ${c.partition} after ${prevOffset}`);
    lastOffset.set(c.partition, c.offset);
    const prevIndex = lastIndex.get(c.partition) ?? -1;
    assert.ok(p.index > prevIndex, `partition ${c.partition}: record ${p.index} after ${prevIndex} (produced order broken)`);
    lastIndex.set(c.partition, p.index);
    perPartition.set(c.partition, (perPartition.get(c.partition) ?? 0) + 1);
  }
  const missing = produced.filter((r) => !seen.has(r.value));
  assert.equal(missing.length, 0, `${missing.length} records not consumed, first: ${missing[0]?.value}`);
  assert.equal(consumed.length, produced.length);
  if (opts.javaPlacement !== false) {
    // 1000 keys over 6 partitions: every partition gets records; a constant partitioner would not.
    assert.equal(perPartition.size, Math.min(opts.partitions, new Set(produced.map((r) => javaPartition(r.key, opts.partitions))).size));
  }
}

/** Sorts consumed records by (partition, offset), keeping the partition-internal order as consumed. */
export function byPartition(consumed: readonly ConsumedRecord[]): ConsumedRecord[] {
  return [...consumed].sort((a, b) => a.partition - b.partition);
}

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a child process to completion with a deadline (SIGKILL of that pid on expiry), feeding
 * `input` to its stdin.
 */
export function runProcess(cmd: string, args: readonly string[], opts: { input?: string | Buffer; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let errBytes = 0;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      // Keep the tail only: debug logs can be large.
      err.push(d);
      errBytes += d.length;
      while (errBytes > 4 << 20 && err.length > 1) errBytes -= err.shift()!.length;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => { /* the child may exit before reading everything; reported by its exit code */ });
    child.stdin.end(opts.input ?? '');
  });
}

/** Asserts a clean exit, showing the tail of stderr otherwise. */
export function assertExitOk(what: string, r: ProcessResult): void {
  if (r.code !== 0) {
    assert.fail(`${what} exited with ${r.code ?? r.signal}\n--- stderr (tail) ---\n${r.stderr.slice(-6000)}\n--- stdout (head) ---\n${r.stdout.slice(0, 2000)}`);
  }
}

/** A temp directory removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes records as JSON lines (the Python drivers' input format). */
export function writeRecordsFile(path: string, records: readonly TestRecord[]): void {
  writeFileSync(path, records.map((r) => JSON.stringify({ k: r.key, v: r.value, h: r.headers })).join('\n') + '\n');
}

/**
 * Runs a Python driver script (tests/interop/python/<script>) and parses the JSON document it
 * prints on stdout.
 */
export async function runPython<T>(script: string, args: readonly string[], timeoutMs: number): Promise<T> {
  const r = await runProcess(PYTHON, [join(PYTHON_DIR, script), ...args], { timeoutMs, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  assertExitOk(`${script} ${args.join(' ')}`, r);
  try {
    return JSON.parse(r.stdout) as T;
  } catch (e) {
    throw new Error(`${script}: stdout is not JSON (${(e as Error).message}): ${r.stdout.slice(0, 500)}\n${r.stderr.slice(-3000)}`);
  }
}

/** Python drivers' consumed-record shape: [partition, offset, key, value, [[hk, hv], ...]]. */
export type PyRecord = [number, number, string | null, string | null, Array<[string, string | null]>];

export function fromPy(rows: readonly PyRecord[]): ConsumedRecord[] {
  return rows.map(([partition, offset, key, value, headers]) => ({ partition, offset, key, value, headers }));
}

/** Broker settings common to the interop tests. */
export const BROKER_CONFIG: Record<string, string> = {
  'num.partitions': String(PARTITIONS),
  'auto.create.topics.enable': 'true',
};

const CODEC_IDS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/**
 * The compression codecs of the record batches stored for `topic` in the broker's data directory
 * (`<log.dirs>/<topic>-<partition>/*.log`), read from each v2 batch header's attributes. Proves that
 * a client really sent the codec it was asked for (librdkafka silently falls back to none when a
 * broker lacks a feature).
 */
export function codecsOnDisk(dataDir: string, topic: string): Set<string> {
  const names = Object.fromEntries(Object.entries(CODEC_IDS).map(([k, v]) => [v, k]));
  const found = new Set<string>();
  for (const dir of readdirSync(dataDir)) {
    if (!dir.startsWith(`${topic}-`) || !/^\d+$/.test(dir.slice(topic.length + 1))) continue;
    for (const file of readdirSync(join(dataDir, dir))) {
      if (!file.endsWith('.log')) continue;
      const buf = readFileSync(join(dataDir, dir, file));
      let pos = 0;
      // baseOffset int64, batchLength int32, partitionLeaderEpoch int32, magic int8, crc int32, attributes int16
      while (pos + 23 <= buf.length) {
        const batchLength = buf.readInt32BE(pos + 8);
        if (batchLength <= 0) break; // preallocated or torn tail
        const magic = buf.readInt8(pos + 16);
        assert.equal(magic, 2, `${dir}/${file}: batch at ${pos} has magic ${magic}`);
        const attributes = buf.readInt16BE(pos + 21);
        found.add(names[attributes & 7] ?? `codec-${attributes & 7}`);
        pos += 12 + batchLength;
      }
    }
  }
  return found;
}

/**
 * Asserts the topic's stored batches use `codec`. With `someUncompressed`, batches the client chose
 * to send uncompressed are allowed too (kafka-python does so when compression does not shrink a
 * batch), as long as some batch uses the codec.
 */
export function assertCodecOnDisk(dataDir: string, topic: string, codec: string, opts: { someUncompressed?: boolean } = {}): void {
  const found = codecsOnDisk(dataDir, topic);
  if (opts.someUncompressed) found.delete('none');
  if (opts.someUncompressed && codec === 'none') found.add('none');
  assert.deepEqual([...found], [codec], `codecs stored for ${topic}`);
}
