import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Segment, segmentFileName } from '../../src/log/segment.ts';
import { batchOffsets, makeBatch, tempDir } from '../helpers/batches.ts';

const opts = { indexIntervalBytes: 256, segmentIndexBytes: 1024 * 1024 };

/** 100 batches of 1..4 records each, timestamps rising by 10 ms per batch. */
function fill(seg: Segment, batches = 100): { bases: number[]; next: number } {
  const bases: number[] = [];
  let next = seg.baseOffset;
  for (let i = 0; i < batches; i++) {
    const count = (i % 4) + 1;
    bases.push(next);
    seg.append(makeBatch({ baseOffset: next, count, baseTimestamp: 10_000 + i * 10, valueBytes: 20 }));
    next += count;
  }
  return { bases, next };
}

test('segment files are named by 20-digit base offset', () => {
  assert.equal(segmentFileName(42, '.log'), '00000000000000000042.log');
});

test('findBatch locates the batch holding every offset through the sparse index', () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = Segment.create(dir, 1000, opts, 0);
    const { bases, next } = fill(seg);
    assert.equal(seg.nextOffset, next);
    assert.ok(seg.indexBytes > 16, 'several index entries written');
    for (let o = 1000; o < next; o++) {
      const loc = seg.findBatch(o);
      assert.ok(loc, `offset ${o}`);
      assert.ok(loc.baseOffset <= o && loc.lastOffset >= o, `offset ${o} in ${loc.baseOffset}..${loc.lastOffset}`);
      assert.ok(bases.includes(loc.baseOffset));
    }
    assert.equal(seg.findBatch(next), null);
    seg.close();
  } finally {
    cleanup();
  }
});

test('read returns whole batches within maxBytes, first batch whole with minOneBatch, never reaching maxOffset', () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = Segment.create(dir, 0, opts, 0);
    const { next } = fill(seg, 20);
    const all = seg.read(0, 1 << 20, Infinity, false);
    assert.equal(all.length, seg.sizeBytes);
    const some = seg.read(5, 300, Infinity, false);
    const got = batchOffsets(some);
    assert.ok(got[0]![0] <= 5 && got[0]![1] >= 5);
    assert.ok(some.length <= 300);
    assert.equal(got.reduce((n, b) => n + b[2], 0), some.length, 'only whole batches');
    assert.equal(seg.read(5, 10, Infinity, false).length, 0, 'batch bigger than maxBytes without minOneBatch');
    assert.equal(batchOffsets(seg.read(5, 10, Infinity, true)).length, 1, 'minOneBatch returns one whole batch');
    const capped = batchOffsets(seg.read(0, 1 << 20, 10, false));
    assert.ok(capped.every(([, last]) => last < 10), 'no batch reaches maxOffset');
    assert.equal(capped[capped.length - 1]![1], 9);
    assert.equal(seg.read(next - 1, 1 << 20, Infinity, false).length > 0, true);
    seg.close();
  } finally {
    cleanup();
  }
});

test('findTimestamp returns the first record at or after the timestamp', () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = Segment.create(dir, 0, opts, 0);
    fill(seg, 40);
    // batch i starts at 10_000 + 10 i with records 1 ms apart
    const exact = seg.findTimestamp(10_000 + 10 * 7 + 1)!;
    assert.deepEqual(exact, { offset: seg.findBatch(0) && offsetOfBatch(seg, 7) + 1, timestamp: 10_071 });
    const between = seg.findTimestamp(10_075)!;
    assert.deepEqual(between, { offset: offsetOfBatch(seg, 8), timestamp: 10_080 });
    assert.deepEqual(seg.findTimestamp(0), { offset: 0, timestamp: 10_000 });
    assert.equal(seg.findTimestamp(99_999), null);
    seg.close();
  } finally {
    cleanup();
  }
});

function offsetOfBatch(_seg: Segment, i: number): number {
  let o = 0;
  for (let k = 0; k < i; k++) o += (k % 4) + 1;
  return o;
}

test('truncateTo removes the batch holding the offset and later ones, indexes included', () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = Segment.create(dir, 0, opts, 0);
    fill(seg, 50);
    const loc = seg.findBatch(60)!;
    seg.truncateTo(60);
    assert.equal(seg.nextOffset, loc.baseOffset);
    assert.equal(seg.sizeBytes, loc.position);
    assert.equal(fs.statSync(path.join(dir, segmentFileName(0, '.log'))).size, loc.position);
    assert.equal(seg.findBatch(loc.baseOffset), null);
    seg.append(makeBatch({ baseOffset: loc.baseOffset, count: 2 }));
    assert.equal(seg.nextOffset, loc.baseOffset + 2);
    seg.close();
  } finally {
    cleanup();
  }
});

test('reopen loads indexes and the tail without recovery', () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = Segment.create(dir, 0, opts, 0);
    const { next } = fill(seg, 30);
    const max = seg.maxTimestamp;
    seg.close();
    const { segment, truncatedBytes } = Segment.open(dir, 0, opts, 0, false);
    assert.equal(truncatedBytes, 0);
    assert.equal(segment.nextOffset, next);
    assert.equal(segment.maxTimestamp, max);
    assert.equal(segment.findBatch(next - 1)!.lastOffset, next - 1);
    segment.close();
  } finally {
    cleanup();
  }
});

test('append rejects offsets that go backwards', () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = Segment.create(dir, 0, opts, 0);
    seg.append(makeBatch({ baseOffset: 0, count: 5 }));
    assert.throws(() => seg.append(makeBatch({ baseOffset: 3 })), { code: 'INVARIANT_VIOLATION' });
    seg.close();
  } finally {
    cleanup();
  }
});
