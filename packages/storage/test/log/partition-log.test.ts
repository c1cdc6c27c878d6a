import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ManualClock, PartitionLog, StorageError, type LogConfig } from '../../src/index.ts';
import { baseTimestamp, crcValid, maxTimestamp, partitionLeaderEpoch } from '@tributary/protocol';
import { batchOffsets, makeBatch, tempDir } from '../helpers/batches.ts';

function withLog(config: Partial<LogConfig>, fn: (log: PartitionLog, ctx: { dir: string; clock: ManualClock }) => void): void {
  const { dir, cleanup } = tempDir();
  const clock = new ManualClock();
  const logDir = path.join(dir, 'orders.v1-3');
  const log = PartitionLog.open(logDir, config, clock);
  try {
    fn(log, { dir: logDir, clock });
  } finally {
    if (!log.isClosed) log.close();
    cleanup();
  }
}

/** Appends `n` batches of `count` records, timestamps 1000 ms apart per batch. */
function appendMany(log: PartitionLog, n: number, count = 2, epoch = 0, tsStart = 1_000_000): void {
  for (let i = 0; i < n; i++) log.appendAsLeader(makeBatch({ count, baseTimestamp: tsStart + i * 1000, valueBytes: 50 }), epoch);
}

function readAll(log: PartitionLog, from = log.logStartOffset): [number, number, number][] {
  const out: [number, number, number][] = [];
  let next = from;
  while (next < log.logEndOffset) {
    const { records } = log.read(next, { maxBytes: 1 << 20, minOneBatch: true });
    const batches = batchOffsets(records);
    assert.ok(batches.length > 0, `progress at ${next}`);
    out.push(...batches);
    next = batches[batches.length - 1]![1] + 1;
  }
  return out;
}

function assertContiguous(batches: [number, number, number][], from: number, to: number): void {
  let next = from;
  for (const [base, last] of batches) {
    if (base > next) assert.fail(`gap at ${next}: next batch starts at ${base}`);
    next = last + 1;
  }
  assert.equal(next, to);
}

test('the directory name gives topic and partition, split at the last dash', () => {
  withLog({}, (log) => {
    assert.equal(log.topic, 'orders.v1');
    assert.equal(log.partition, 3);
  });
});

test('appendAsLeader assigns offsets and the epoch in place and stamps LogAppendTime', () => {
  withLog({}, (log) => {
    const a = makeBatch({ count: 3, baseOffset: 99 });
    const b = makeBatch({ count: 2 });
    const r = log.appendAsLeader(Buffer.concat([a, b]), 5);
    assert.deepEqual([r.baseOffset, r.lastOffset, r.logAppendTimeMs, r.bytes], [0, 4, -1, a.length + b.length]);
    const r2 = log.appendAsLeader(makeBatch({ count: 1, baseTimestamp: 5 }), 5, { logAppendTimeMs: 777_000 });
    assert.deepEqual([r2.baseOffset, r2.logAppendTimeMs, r2.maxTimestamp], [5, 777_000, 777_000]);
    const { records } = log.read(0, { maxBytes: 1 << 20, minOneBatch: false });
    assert.deepEqual(batchOffsets(records).map(([s, e]) => [s, e]), [[0, 2], [3, 4], [5, 5]]);
    const lastAt = a.length + b.length;
    assert.equal(partitionLeaderEpoch(records, 0), 5);
    assert.equal(maxTimestamp(records, lastAt), 777_000);
    assert.equal(baseTimestamp(records, lastAt), 5);
    assert.ok(crcValid(records, lastAt), 'CRC rewritten after LogAppendTime');
    assert.deepEqual(log.leaderEpochEntries, [{ epoch: 5, startOffset: 0 }]);
    assert.throws(() => log.appendAsLeader(makeBatch(), 4), { code: 'STALE_LEADER_EPOCH' });
  });
});

test('malformed appends are rejected with INVALID_RECORD_BATCH', () => {
  withLog({}, (log) => {
    const b = makeBatch({ count: 2 });
    assert.throws(() => log.appendAsLeader(b.subarray(0, b.length - 1), 0), { code: 'INVALID_RECORD_BATCH' });
    const badMagic = Buffer.from(b);
    badMagic.writeInt8(1, 16);
    assert.throws(() => log.appendAsLeader(badMagic, 0), { code: 'INVALID_RECORD_BATCH' });
    assert.equal(log.logEndOffset, 0);
  });
});

test('the log rolls when an append would exceed segmentBytes', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  withLog({ segmentBytes: size * 3 }, (log) => {
    appendMany(log, 10);
    assert.deepEqual(log.segmentBaseOffsets, [0, 6, 12, 18]);
    assertContiguous(readAll(log), 0, 20);
  });
});

test('the log rolls when the incoming batch is more than segmentMs after the first batch (driven clock)', () => {
  withLog({ segmentMs: 60_000 }, (log, { clock }) => {
    const at = (ts: number): Buffer => makeBatch({ count: 1, baseTimestamp: ts });
    const t = clock.now();
    log.appendAsLeader(at(t), 0);
    clock.advance(60_000);
    log.appendAsLeader(at(clock.now()), 0);
    assert.equal(log.segmentCount, 1, 'exactly segmentMs: no roll yet');
    clock.advance(1);
    log.appendAsLeader(at(clock.now()), 0);
    assert.deepEqual(log.segmentBaseOffsets, [0, 2]);
  });
});

test('the log rolls when the offset index is full', () => {
  withLog({ indexIntervalBytes: 0, segmentIndexBytes: 8 * 4 }, (log) => {
    appendMany(log, 12, 1);
    assert.ok(log.segmentCount >= 2);
    assertContiguous(readAll(log), 0, 12);
  });
});

test('reads at boundaries: out of range, log end, maxBytes, minOneBatch, maxOffset, segment ends', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  withLog({ segmentBytes: size * 4 }, (log) => {
    appendMany(log, 10);
    const err = (() => {
      try {
        log.read(21, { maxBytes: 100, minOneBatch: true });
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(err instanceof StorageError && err.code === 'OFFSET_OUT_OF_RANGE');
    assert.throws(() => log.read(-1, { maxBytes: 100, minOneBatch: true }), { code: 'OFFSET_OUT_OF_RANGE' });
    assert.equal(log.read(20, { maxBytes: 100, minOneBatch: true }).records.length, 0);
    assert.equal(log.read(3, { maxBytes: size - 1, minOneBatch: false }).records.length, 0);
    assert.deepEqual(batchOffsets(log.read(3, { maxBytes: 1, minOneBatch: true }).records).map((b) => b[0]), [2]);
    assert.deepEqual(batchOffsets(log.read(3, { maxBytes: size * 2, minOneBatch: true }).records).map((b) => b[0]), [2, 4]);
    assert.deepEqual(batchOffsets(log.read(0, { maxBytes: 1 << 20, minOneBatch: true }).records).map((b) => b[0]), [0, 2, 4, 6], 'stops at the segment end');
    assert.deepEqual(batchOffsets(log.read(8, { maxBytes: 1 << 20, minOneBatch: true }).records).map((b) => b[0]), [8, 10, 12, 14]);
    assert.deepEqual(batchOffsets(log.read(8, { maxBytes: 1 << 20, maxOffset: 13, minOneBatch: true }).records).map((b) => b[0]), [8, 10]);
    assert.equal(log.read(12, { maxBytes: 1 << 20, maxOffset: 12, minOneBatch: true }).records.length, 0);
    assert.equal(log.read(12, { maxBytes: 1 << 20, maxOffset: 13, minOneBatch: true }).records.length, 0, 'batch 12..13 reaches maxOffset');
  });
});

test('offsetForTimestamp and maxTimestampOffset follow ListOffsets semantics across segments', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  withLog({ segmentBytes: size * 3, indexIntervalBytes: 1 }, (log) => {
    appendMany(log, 9, 2, 0, 1_000_000); // batch i: timestamps 1_000_000 + 1000 i (+1 for 2nd record)
    assert.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: 1_000_000 });
    assert.deepEqual(log.offsetForTimestamp(1_004_001), { offset: 9, timestamp: 1_004_001 });
    assert.deepEqual(log.offsetForTimestamp(1_004_002), { offset: 10, timestamp: 1_005_000 });
    assert.deepEqual(log.offsetForTimestamp(1_008_001), { offset: 17, timestamp: 1_008_001 });
    assert.equal(log.offsetForTimestamp(1_008_002), null);
    assert.deepEqual(log.maxTimestampOffset(), { offset: 17, timestamp: 1_008_001 });
    log.deleteRecordsBefore(3);
    assert.deepEqual(log.offsetForTimestamp(0), { offset: 3, timestamp: 1_000_000 });
  });
});

test('an empty log has no timestamps', () => {
  withLog({}, (log) => {
    assert.equal(log.offsetForTimestamp(0), null);
    assert.deepEqual(log.maxTimestampOffset(), { offset: -1, timestamp: -1 });
  });
});

test('retention by time deletes closed segments whose largest timestamp is too old, never the active one', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  withLog({ segmentBytes: size * 2, retentionMs: 10_000 }, (log, { clock }) => {
    const t0 = clock.now();
    for (let i = 0; i < 6; i++) log.appendAsLeader(makeBatch({ count: 2, baseTimestamp: t0 + i * 5_000, valueBytes: 50 }), 0);
    assert.deepEqual(log.segmentBaseOffsets, [0, 4, 8]);
    // segment 0 max ts t0+5001, segment 4 max t0+15001, active max t0+25001
    let r = log.enforceRetention(t0 + 15_002);
    assert.deepEqual(r, { deletedSegments: 1, deletedBytes: size * 2 });
    assert.equal(log.logStartOffset, 4);
    assert.throws(() => log.read(0, { maxBytes: 100, minOneBatch: true }), { code: 'OFFSET_OUT_OF_RANGE' });
    r = log.enforceRetention(t0 + 1_000_000);
    assert.equal(r.deletedSegments, 1);
    assert.deepEqual(log.segmentBaseOffsets, [8]);
    assert.equal(log.logStartOffset, 8);
    assert.equal(fs.readdirSync(log.dir).filter((f) => f.endsWith('.log')).length, 1);
  });
});

test('retention by bytes deletes the oldest segments while the log stays over the limit', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  withLog({ segmentBytes: size * 2, retentionBytes: size * 5, retentionMs: -1 }, (log) => {
    appendMany(log, 9);
    assert.equal(log.segmentCount, 5);
    const r = log.enforceRetention(Number.MAX_SAFE_INTEGER);
    assert.deepEqual(r, { deletedSegments: 2, deletedBytes: size * 4 });
    assert.equal(log.sizeBytes, size * 5);
    assert.equal(log.logStartOffset, 8);
  });
});

test('deleteRecordsBefore moves the log start offset, persists it, and drops whole segments below it', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  const { dir, cleanup } = tempDir();
  try {
    const logDir = path.join(dir, 't-0');
    let log = PartitionLog.open(logDir, { segmentBytes: size * 2 });
    appendMany(log, 6);
    assert.equal(log.deleteRecordsBefore(5), 5);
    assert.deepEqual(log.segmentBaseOffsets, [4, 8]);
    assert.throws(() => log.read(4, { maxBytes: 100, minOneBatch: true }), { code: 'OFFSET_OUT_OF_RANGE' });
    const first = batchOffsets(log.read(5, { maxBytes: 1 << 20, minOneBatch: true }).records)[0]!;
    assert.equal(first[0], 4, 'the first batch may start before the requested offset');
    assert.equal(log.deleteRecordsBefore(2), 5, 'never moves back');
    assert.throws(() => log.deleteRecordsBefore(13), { code: 'OFFSET_OUT_OF_RANGE' });
    log.close();
    log = PartitionLog.open(logDir, { segmentBytes: size * 2 });
    assert.equal(log.logStartOffset, 5);
    assert.equal(log.deleteRecordsBefore(12), 12);
    assert.equal(log.read(12, { maxBytes: 100, minOneBatch: true }).records.length, 0);
    log.close();
  } finally {
    cleanup();
  }
});

test('truncateTo drops whole batches at and after the offset, across segments, and the epoch cache', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  withLog({ segmentBytes: size * 2 }, (log) => {
    appendMany(log, 3, 2, 1);
    appendMany(log, 3, 2, 2);
    appendMany(log, 2, 2, 3);
    assert.equal(log.logEndOffset, 16);
    log.truncateTo(9); // batch 8..9 goes
    assert.equal(log.logEndOffset, 8);
    assert.deepEqual(log.segmentBaseOffsets, [0, 4, 8], 'segment 8 stays, emptied');
    assert.deepEqual(log.leaderEpochEntries, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 6 }]);
    assertContiguous(readAll(log), 0, 8);
    log.appendAsLeader(makeBatch({ count: 2 }), 4);
    assert.equal(log.logEndOffset, 10);
    assertContiguous(readAll(log), 0, 10);
    log.truncateTo(0);
    assert.equal(log.logEndOffset, 0);
    assert.deepEqual(log.leaderEpochEntries, []);
    log.truncateTo(100);
    assert.equal(log.logEndOffset, 0);
  });
});

test('appendAsFollower keeps offsets and epochs, rejects offsets below the log end', () => {
  withLog({}, (log) => {
    const a = makeBatch({ baseOffset: 0, count: 3, epoch: 1 });
    const b = makeBatch({ baseOffset: 3, count: 2, epoch: 4 });
    const r = log.appendAsFollower(Buffer.concat([a, b]));
    assert.deepEqual([r.baseOffset, r.lastOffset], [0, 4]);
    assert.deepEqual(log.leaderEpochEntries, [{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 3 }]);
    assert.throws(() => log.appendAsFollower(makeBatch({ baseOffset: 4 })), { code: 'UNEXPECTED_APPEND_OFFSET' });
    log.appendAsFollower(makeBatch({ baseOffset: 5, epoch: 4 }));
    assert.equal(log.logEndOffset, 6);
    assert.deepEqual(log.endOffsetForEpoch(1), { epoch: 1, endOffset: 3 });
    assert.deepEqual(log.endOffsetForEpoch(4), { epoch: 4, endOffset: 6 });
  });
});

test('flushMessages and flushMs drive flushedOffset; maybeFlush checks the clock', () => {
  withLog({ flushMessages: 5 }, (log) => {
    appendMany(log, 2);
    assert.equal(log.flushedOffset, 0);
    appendMany(log, 1);
    assert.equal(log.flushedOffset, 6);
  });
  withLog({ flushMs: 1000 }, (log, { clock }) => {
    appendMany(log, 1);
    assert.equal(log.maybeFlush(clock.now() + 999), false);
    assert.equal(log.maybeFlush(clock.now() + 1000), true);
    assert.equal(log.flushedOffset, 2);
    assert.equal(log.maybeFlush(clock.now() + 5000), false, 'nothing new to flush');
  });
});

test('updateConfig applies to the open log', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  withLog({}, (log) => {
    appendMany(log, 3);
    log.updateConfig({ segmentBytes: size * 3 });
    appendMany(log, 1);
    assert.deepEqual(log.segmentBaseOffsets, [0, 6]);
    assert.throws(() => log.updateConfig({ segmentBytes: 1 }), { code: 'INVALID_CONFIG' });
  });
});

test('reopen after a clean close keeps offsets, segments, epochs and skips recovery', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  const { dir, cleanup } = tempDir();
  try {
    const logDir = path.join(dir, 't-0');
    let log = PartitionLog.open(logDir, { segmentBytes: size * 3 });
    appendMany(log, 5, 2, 2);
    appendMany(log, 2, 2, 7);
    const before = readAll(log);
    log.close();
    assert.ok(fs.existsSync(path.join(logDir, '.clean-shutdown')));
    log = PartitionLog.open(logDir, { segmentBytes: size * 3 });
    assert.equal(log.loadStats.hadCleanShutdown, true);
    assert.equal(log.loadStats.recoveredSegments, 0);
    assert.ok(!fs.existsSync(path.join(logDir, '.clean-shutdown')), 'marker removed while open');
    assert.equal(log.logEndOffset, 14);
    assert.deepEqual(readAll(log), before);
    assert.equal(log.latestEpoch, 7);
    appendMany(log, 1, 2, 7);
    assertContiguous(readAll(log), 0, 16);
    log.close();
    assert.throws(() => log.read(0, { maxBytes: 1, minOneBatch: true }), { code: 'LOG_CLOSED' });
  } finally {
    cleanup();
  }
});

test('delete removes the directory', () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = PartitionLog.open(path.join(dir, 't-1'));
    appendMany(log, 2);
    log.delete();
    assert.equal(fs.existsSync(path.join(dir, 't-1')), false);
  } finally {
    cleanup();
  }
});

test('fileDeleteDelayMs keeps deleted segment files until the clock passes the delay', () => {
  const size = makeBatch({ count: 2, valueBytes: 50 }).length;
  withLog({ segmentBytes: size, fileDeleteDelayMs: 60_000 }, (log, { clock }) => {
    appendMany(log, 3);
    log.deleteRecordsBefore(4);
    const deleted = () => fs.readdirSync(log.dir).filter((f) => f.endsWith('.deleted')).length;
    assert.equal(deleted(), 6);
    clock.advance(60_000);
    assert.equal(deleted(), 0);
  });
});

test('segmentMs falls back to wall time since open when batches carry no timestamps', () => {
  withLog({ segmentMs: 1000 }, (log, { clock }) => {
    const noTs = (): Buffer => makeBatch({ count: 1, baseTimestamp: -1, timestampStepMs: 0 });
    log.appendAsLeader(noTs(), 0);
    clock.advance(1000);
    log.appendAsLeader(noTs(), 0);
    assert.equal(log.segmentCount, 1);
    clock.advance(1);
    log.appendAsLeader(noTs(), 0);
    assert.deepEqual(log.segmentBaseOffsets, [0, 2]);
  });
});

test('read() fills the buffer from opts.alloc and returns whole batches in it', () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = PartitionLog.open(path.join(dir, 't-0'));
    appendMany(log, 4, 3);
    const plain = log.read(0, { maxBytes: 1 << 20, minOneBatch: true }).records;
    const backing = Buffer.alloc(1 << 20, 0xee);
    let asked = -1;
    const pooled = log.read(0, { maxBytes: 1 << 20, minOneBatch: true, alloc: (n) => { asked = n; return backing; } }).records;
    assert.equal(asked, plain.length);
    assert.equal(pooled.buffer, backing.buffer);
    assert.deepEqual(pooled, plain);
    log.close();
  } finally {
    cleanup();
  }
});

test('assignLeaderEpoch starts a newer epoch at the log end offset; older or equal epochs and closed logs are ignored', () => {
  const { dir, cleanup } = tempDir();
  try {
    const log = PartitionLog.open(path.join(dir, 't-0'));
    log.assignLeaderEpoch(1);
    appendMany(log, 2, 3, 1);
    log.assignLeaderEpoch(1);
    log.assignLeaderEpoch(0);
    log.assignLeaderEpoch(4);
    assert.deepEqual(log.leaderEpochEntries, [{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 6 }]);
    appendMany(log, 1, 3, 4);
    log.close();
    log.assignLeaderEpoch(9);
    const again = PartitionLog.open(path.join(dir, 't-0'));
    assert.deepEqual(again.leaderEpochEntries, [{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 6 }], 'kept across a clean close');
    again.assignLeaderEpoch(5);
    again.close();
    // As in Kafka, an epoch with no records yet is dropped at load (truncateFromEnd(log end offset));
    // the partition assigns it again when it becomes leader.
    assert.equal(PartitionLog.open(path.join(dir, 't-0')).latestEpoch, 4);
  } finally {
    cleanup();
  }
});
