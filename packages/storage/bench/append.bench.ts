/**
 * Micro-benchmark of the partition log: append MB/s (page cache only, and fdatasync per append)
 * with 16 KiB and 1 MiB batches, then catch-up read MB/s over what was written.
 * Run: node --import tsx packages/storage/bench/append.bench.ts   (MB = 10^6 bytes)
 */
import { PartitionLog } from '../src/index.ts';
import { makeBatch, tempDir } from '../test/helpers/batches.ts';

interface Row {
  case: string;
  batchBytes: number;
  totalMB: number;
  seconds: number;
  MBps: number;
  appendsPerSec: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

function batchOf(targetBytes: number): Buffer {
  const valueBytes = 1000;
  return makeBatch({ count: Math.max(1, Math.round(targetBytes / (valueBytes + 8))), valueBytes });
}

function appendCase(name: string, batch: Buffer, totalBytes: number, fsyncEach: boolean): { row: Row; dir: string; cleanup: () => void } {
  const tmp = tempDir('tributary-bench-');
  const log = PartitionLog.open(`${tmp.dir}/bench-0`, { flushMessages: fsyncEach ? 1 : Number.MAX_SAFE_INTEGER });
  const n = Math.ceil(totalBytes / batch.length);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) log.appendAsLeader(batch, 0);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  log.close();
  const bytes = n * batch.length;
  return {
    row: { case: name, batchBytes: batch.length, totalMB: bytes / 1e6, seconds, MBps: bytes / 1e6 / seconds, appendsPerSec: n / seconds },
    dir: tmp.dir,
    cleanup: tmp.cleanup,
  };
}

function readCase(name: string, dir: string, maxBytes: number): Row {
  const log = PartitionLog.open(`${dir}/bench-0`);
  let next = log.logStartOffset;
  let bytes = 0;
  let reads = 0;
  const t0 = process.hrtime.bigint();
  while (next < log.logEndOffset) {
    const { records } = log.read(next, { maxBytes, minOneBatch: true });
    bytes += records.length;
    reads++;
    let at = 0;
    let last = next;
    while (at < records.length) {
      last = Number(records.readBigInt64BE(at)) + records.readInt32BE(at + 23);
      at += records.readInt32BE(at + 8) + 12;
    }
    next = last + 1;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  log.close();
  return { case: name, batchBytes: maxBytes, totalMB: bytes / 1e6, seconds, MBps: bytes / 1e6 / seconds, appendsPerSec: reads / seconds };
}

const rows: Row[] = [];
for (const [label, size] of [['16KiB', 16 * KiB], ['1MiB', MiB]] as const) {
  const batch = batchOf(size);
  const noFlush = appendCase(`append ${label} no flush`, batch, 512 * MiB, false);
  rows.push(noFlush.row);
  rows.push(readCase(`read catch-up (fetch ${label === '1MiB' ? '1MiB' : '1MiB'}) over ${label} batches`, noFlush.dir, MiB));
  noFlush.cleanup();
  const synced = appendCase(`append ${label} fdatasync each`, batch, label === '1MiB' ? 256 * MiB : 32 * MiB, true);
  rows.push(synced.row);
  synced.cleanup();
}
console.table(rows.map((r) => ({ ...r, totalMB: r.totalMB.toFixed(0), seconds: r.seconds.toFixed(2), MBps: r.MBps.toFixed(0), appendsPerSec: r.appendsPerSec.toFixed(0) })));
console.log(JSON.stringify(rows));
