/**
 * Record batch micro-benchmark: encode and decode MB/s per codec for 100 B and 1 KiB values,
 * and validateProduceRecords throughput against raw CRC-32C speed on the same bytes.
 * Run: node --import tsx packages/protocol/bench/records.bench.ts [secondsPerCase]
 * MB = 10^6 bytes of record values+keys ("payload"); batch bytes are also shown for validation.
 */
import { crc32c } from '@node-rs/crc32';
import { CompressionType } from '../src/records/compression.ts';
import { decodeRecordBatches, encodeRecordBatch } from '../src/records/record-batch.ts';
import type { RecordInput } from '../src/records/record-codec.ts';
import { validateProduceRecords } from '../src/records/validate.ts';

const SECONDS_PER_CASE = Number(process.argv[2] ?? 0.5);
const BATCH_PAYLOAD_BYTES = 1024 * 1024;
const CODECS: [string, number][] = [['none', 0], ['gzip', 1], ['snappy', 2], ['lz4', 3], ['zstd', 4]];
const WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau'.split(' ');

function payload(bytes: number, seed: number): Buffer {
  let s = '';
  let x = seed;
  while (s.length < bytes) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += WORDS[x % WORDS.length] + (x % 1000) + ' ';
  }
  return Buffer.from(s.slice(0, bytes));
}

function records(valueBytes: number): RecordInput[] {
  const n = Math.floor(BATCH_PAYLOAD_BYTES / valueBytes);
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`key-${i % 1000}`), value: payload(valueBytes, i), timestamp: 1_700_000_000_000 + i }));
}

function rate(fn: () => void, bytesPerCall: number): number {
  fn();
  const deadline = performance.now() + SECONDS_PER_CASE * 1000;
  const start = performance.now();
  let calls = 0;
  do {
    fn();
    calls++;
  } while (performance.now() < deadline);
  return (bytesPerCall * calls) / ((performance.now() - start) / 1000) / 1e6;
}

function fmt(n: number): string {
  return n.toFixed(n < 10 ? 1 : 0).padStart(7);
}

function main(): void {
  console.log(`records bench: ~1 MiB payload per batch, ${SECONDS_PER_CASE}s per case, Node ${process.version}`);
  console.log('value  codec    batchBytes  encode MB/s  decode MB/s  encode rec/s');
  for (const valueBytes of [100, 1024]) {
    const input = records(valueBytes);
    const payloadBytes = input.reduce((s, r) => s + r.value!.length + r.key!.length, 0);
    for (const [name, codec] of CODECS) {
      const batch = encodeRecordBatch({ records: input, compression: codec });
      const enc = rate(() => encodeRecordBatch({ records: input, compression: codec }), payloadBytes);
      const dec = rate(() => decodeRecordBatches(batch), payloadBytes);
      const recPerSec = (enc * 1e6 / payloadBytes) * input.length;
      console.log(`${String(valueBytes).padStart(5)}  ${name.padEnd(7)} ${String(batch.length).padStart(10)}  ${fmt(enc)}      ${fmt(dec)}      ${(recPerSec / 1e6).toFixed(2)}M`);
    }
  }
  const opts = { maxMessageBytes: 8 * 1024 * 1024, produceVersion: 9 };
  console.log('\nvalidateProduceRecords (shallow) vs crc32c alone, MB/s of batch bytes');
  for (const batchBytes of [16 * 1024, 1024 * 1024]) {
    const batch = encodeRecordBatch({ records: [{ value: payload(batchBytes - 80, 1) }], compression: CompressionType.None });
    const v = rate(() => { validateProduceRecords(batch, opts); }, batch.length);
    const c = rate(() => { crc32c(batch.subarray(21)); }, batch.length);
    console.log(`  ${String(batch.length).padStart(8)} B batch: validate ${fmt(v)}  crc32c ${fmt(c)}  (${((v / c) * 100).toFixed(0)}% of CRC)`);
  }
  for (const [name, codec] of CODECS) {
    const batch = encodeRecordBatch({ records: records(100), compression: codec });
    const deep = rate(() => { validateProduceRecords(batch, { ...opts, deepValidation: true }); }, BATCH_PAYLOAD_BYTES);
    console.log(`  deep validation, 100 B records, ${name.padEnd(6)}: ${fmt(deep)} MB/s of payload`);
  }
}

main();
