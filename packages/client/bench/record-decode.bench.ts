// Consumer-side record decoding alone: decodeFetchedRecords over an in-memory fetch response of
// back-to-back uncompressed v2 batches (--records per fetch), decoded --iterations times per rep.
// Prints one JSON line per record size: median and best of --reps (the machine is shared; best is
// the steadier figure for before/after comparisons).
//
//   node --import tsx packages/client/bench/record-decode.bench.ts [--records 10000] [--sizes 100,1024]
//     [--per-batch 1000] [--iterations 30] [--reps 9]
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { encodeRecordBatch } from '@tributary/protocol/records/record-batch.ts';
import { decodeFetchedRecords } from '../src/consumer/record-decoder.ts';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '10000' },
    sizes: { type: 'string', default: '100,1024' },
    'per-batch': { type: 'string', default: '1000' },
    reps: { type: 'string', default: '9' },
    iterations: { type: 'string', default: '30' },
  },
});

function fetchedBuffer(records: number, size: number, perBatch: number): Buffer {
  const value = randomBytes(size);
  const key = Buffer.from('key-0001');
  const batches: Buffer[] = [];
  for (let base = 0; base < records; base += perBatch) {
    const n = Math.min(perBatch, records - base);
    batches.push(encodeRecordBatch({ baseOffset: base, records: Array.from({ length: n }, () => ({ key, value })) }));
  }
  return Buffer.concat(batches);
}

const records = Number(args.records);
const reps = Number(args.reps);
const iterations = Number(args.iterations);
for (const size of args.sizes.split(',').map(Number)) {
  const buf = fetchedBuffer(records, size, Number(args['per-batch']));
  for (let i = 0; i < iterations; i++) decodeFetchedRecords('t', 0, buf, 0, null); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    let decoded = 0;
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) decoded += decodeFetchedRecords('t', 0, buf, 0, null).records.length;
    const seconds = (performance.now() - t0) / 1000;
    if (decoded !== records * iterations) throw new Error(`decoded ${decoded} of ${records * iterations}`);
    rates.push(decoded / seconds);
  }
  rates.sort((a, b) => a - b);
  console.log(JSON.stringify({
    recordBytes: size, recordsPerFetch: records,
    decodedMsgPerSecMedian: Math.round(rates[rates.length >> 1]!), decodedMsgPerSecBest: Math.round(rates[rates.length - 1]!),
  }));
}
