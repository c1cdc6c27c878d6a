import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PartitionLog } from '../../src/index.ts';
import { segmentFileName } from '../../src/log/segment.ts';
import { batchOffsets, makeBatch, tempDir } from '../helpers/batches.ts';

const batchBytes = makeBatch({ count: 3, valueBytes: 40 }).length;
const config = { segmentBytes: batchBytes * 10, indexIntervalBytes: batchBytes * 2 };

/** Writes 25 batches of 3 records (3 segments), then "crashes": no close, no clean marker. */
function crashedLog(dir: string): void {
  const log = PartitionLog.open(dir, config);
  for (let i = 0; i < 25; i++) log.appendAsLeader(makeBatch({ count: 3, valueBytes: 40, baseTimestamp: 5000 + i }), 1);
  // Simulate a crash: the process dies with files as they are (no close(), no marker).
}

function activeLog(dir: string): string {
  return path.join(dir, segmentFileName(20 * 3, '.log'));
}

function readEverything(log: PartitionLog): [number, number, number][] {
  const out: [number, number, number][] = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const b = batchOffsets(log.read(next, { maxBytes: 1 << 20, minOneBatch: true }).records);
    out.push(...b);
    next = b[b.length - 1]![1] + 1;
  }
  return out;
}

function assertContiguousTo(log: PartitionLog, end: number): void {
  assert.equal(log.logEndOffset, end);
  let next = 0;
  for (const [base, last] of readEverything(log)) {
    assert.equal(base, next);
    next = last + 1;
  }
  assert.equal(next, end);
}

function withCrashed(fn: (dir: string) => void): void {
  const { dir, cleanup } = tempDir();
  try {
    const logDir = path.join(dir, 't-0');
    crashedLog(logDir);
    fn(logDir);
  } finally {
    cleanup();
  }
}

test('recovery truncates half a batch at the tail', () => {
  withCrashed((dir) => {
    fs.appendFileSync(activeLog(dir), makeBatch({ baseOffset: 75, count: 3 }).subarray(0, 30));
    const log = PartitionLog.open(dir, config);
    assert.equal(log.loadStats.hadCleanShutdown, false);
    assert.equal(log.loadStats.truncatedBytes, 30);
    assertContiguousTo(log, 75);
    assert.equal(log.appendAsLeader(makeBatch({ count: 3 }), 1).baseOffset, 75);
    log.close();
  });
});

test('recovery truncates trailing garbage', () => {
  withCrashed((dir) => {
    fs.appendFileSync(activeLog(dir), Buffer.alloc(5000, 0xab));
    const log = PartitionLog.open(dir, config);
    assert.equal(log.loadStats.truncatedBytes, 5000);
    assertContiguousTo(log, 75);
    log.close();
  });
});

test('recovery truncates at a batch with a flipped byte (CRC mismatch) and everything after it', () => {
  withCrashed((dir) => {
    const file = activeLog(dir);
    const fd = fs.openSync(file, 'r+');
    const at = batchBytes * 2 + 70; // inside the 3rd batch of the active segment (offsets 66..68)
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ 0x01;
    fs.writeSync(fd, b, 0, 1, at);
    fs.closeSync(fd);
    const log = PartitionLog.open(dir, config);
    assert.equal(log.loadStats.truncatedBytes, batchBytes * 3);
    assertContiguousTo(log, 66);
    log.close();
  });
});

test('corruption in an older unflushed segment drops the later segments', () => {
  withCrashed((dir) => {
    const file = path.join(dir, segmentFileName(30, '.log'));
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0xff, 0xff]), 0, 2, batchBytes * 4 + 40);
    fs.closeSync(fd);
    const log = PartitionLog.open(dir, config);
    assertContiguousTo(log, 42);
    assert.deepEqual(log.segmentBaseOffsets, [0, 30]);
    log.close();
  });
});

test('deleted or corrupt index files are rebuilt, even after a clean shutdown', () => {
  const { dir, cleanup } = tempDir();
  try {
    const logDir = path.join(dir, 't-0');
    let log = PartitionLog.open(logDir, config);
    for (let i = 0; i < 25; i++) log.appendAsLeader(makeBatch({ count: 3, valueBytes: 40, baseTimestamp: 5000 + i }), 1);
    const before = readEverything(log);
    log.close();
    fs.rmSync(path.join(logDir, segmentFileName(0, '.index')));
    fs.writeFileSync(path.join(logDir, segmentFileName(30, '.index')), Buffer.alloc(13, 0x7f));
    fs.writeFileSync(path.join(logDir, segmentFileName(60, '.timeindex')), Buffer.alloc(7));
    log = PartitionLog.open(logDir, config);
    assert.equal(log.loadStats.hadCleanShutdown, true);
    assert.deepEqual(readEverything(log), before);
    assert.ok(fs.statSync(path.join(logDir, segmentFileName(0, '.index'))).size > 0, 'index rewritten');
    assert.deepEqual(log.offsetForTimestamp(5010), { offset: 26, timestamp: 5010 }, "batch 24..26 holds 5008..5010");
    log.close();
  } finally {
    cleanup();
  }
});

test('an index pointing past the end of the log is rebuilt', () => {
  const { dir, cleanup } = tempDir();
  try {
    const logDir = path.join(dir, 't-0');
    let log = PartitionLog.open(logDir, config);
    for (let i = 0; i < 8; i++) log.appendAsLeader(makeBatch({ count: 3, valueBytes: 40 }), 1);
    log.close();
    const bad = Buffer.alloc(8);
    bad.writeInt32BE(3, 0);
    bad.writeInt32BE(1 << 30, 4);
    fs.writeFileSync(path.join(logDir, segmentFileName(0, '.index')), bad);
    log = PartitionLog.open(logDir, config);
    assertContiguousTo(log, 24);
    log.close();
  } finally {
    cleanup();
  }
});

test('the leader epoch cache drops epochs beyond the recovered log end', () => {
  withCrashed((dir) => {
    const log0 = PartitionLog.open(dir, config);
    log0.appendAsLeader(makeBatch({ count: 3 }), 9);
    // crash again, then tear the epoch-9 batch
    const file = activeLog(dir);
    fs.truncateSync(file, fs.statSync(file).size - 10);
    const log = PartitionLog.open(dir, config);
    assert.equal(log.logEndOffset, 75);
    assert.equal(log.latestEpoch, 1);
    log.close();
  });
});

test('recovery of a large log reads in big chunks (smoke timing)', () => {
  const { dir, cleanup } = tempDir();
  try {
    const logDir = path.join(dir, 't-0');
    const log = PartitionLog.open(logDir, { segmentBytes: 64 * 1024 * 1024 });
    const batch = makeBatch({ count: 10, valueBytes: 100 });
    const many = Buffer.concat(Array.from({ length: 100 }, () => batch));
    for (let i = 0; i < 300; i++) log.appendAsLeader(Buffer.from(many), 0);
    const end = log.logEndOffset;
    const bytes = log.sizeBytes;
    const t0 = performance.now();
    const reopened = PartitionLog.open(logDir, {});
    const ms = performance.now() - t0;
    assert.equal(reopened.loadStats.recoveredSegments, 1);
    assert.equal(reopened.logEndOffset, end);
    assert.ok(ms < 5000, `recovered ${bytes} bytes in ${ms.toFixed(0)} ms`);
    reopened.close();
  } finally {
    cleanup();
  }
});

test('epochs whose checkpoint write a crash lost are rebuilt from the recovered batches', () => {
  withCrashed((dir) => {
    const log0 = PartitionLog.open(dir, config);
    log0.appendAsLeader(makeBatch({ count: 3 }), 4);
    log0.appendAsLeader(makeBatch({ count: 2 }), 6);
    // Crash before the background checkpoint write: the file still says epoch 1 only.
    fs.writeFileSync(path.join(dir, 'leader-epoch-checkpoint'), '0\n1\n1 0\n');
    const log = PartitionLog.open(dir, config);
    assert.equal(log.logEndOffset, 80);
    assert.deepEqual(log.leaderEpochEntries, [{ epoch: 1, startOffset: 0 }, { epoch: 4, startOffset: 75 }, { epoch: 6, startOffset: 78 }]);
    assert.equal(fs.readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8'), '0\n3\n1 0\n4 75\n6 78\n', 'rebuilt entries are flushed at open');
    log.close();
  });
});

test('a flush makes the epoch checkpoint durable before the recovery point passes the epoch', () => {
  const { dir, cleanup } = tempDir();
  try {
    const logDir = path.join(dir, 't-0');
    const log = PartitionLog.open(logDir, config);
    log.appendAsLeader(makeBatch({ count: 3 }), 3);
    log.flush();
    assert.equal(log.flushedOffset, 3);
    assert.equal(fs.readFileSync(path.join(logDir, 'leader-epoch-checkpoint'), 'utf8'), '0\n1\n3 0\n');
    log.close();
  } finally {
    cleanup();
  }
});
