import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LogManager, ManualClock, parseLogDirName } from '../src/index.ts';
import { makeBatch, tempDir } from './helpers/batches.ts';

test('log dir names split at the last dash; deleted/future dirs are ignored', () => {
  assert.deepEqual(parseLogDirName('my-topic.v2-12'), { topic: 'my-topic.v2', partition: 12 });
  assert.deepEqual(parseLogDirName('__consumer_offsets-0'), { topic: '__consumer_offsets', partition: 0 });
  assert.equal(parseLogDirName('topic'), null);
  assert.equal(parseLogDirName('topic-x'), null);
  assert.equal(parseLogDirName('t-0.abc-delete'), null);
});

test('open places partitions across dirs, loadAll finds them again after restart', () => {
  const a = tempDir();
  const b = tempDir();
  try {
    let mgr = new LogManager({ logDirs: [a.dir, b.dir] });
    const l1 = mgr.open('orders-eu', 0);
    const l2 = mgr.open('orders-eu', 1);
    assert.notEqual(path.dirname(l1.dir), path.dirname(l2.dir), 'least-loaded dir chosen');
    assert.equal(mgr.open('orders-eu', 0), l1, 'same log for the same partition');
    l1.appendAsLeader(makeBatch({ count: 4 }), 0);
    assert.equal(mgr.get('orders-eu', 0), l1);
    assert.equal(mgr.get('orders-eu', 7), undefined);
    mgr.close();
    fs.mkdirSync(path.join(a.dir, 'not a log'));
    mgr = new LogManager({ logDirs: [a.dir, b.dir] });
    const loaded = mgr.loadAll();
    assert.equal(loaded.length, 2);
    const again = mgr.get('orders-eu', 0)!;
    assert.equal(again.logEndOffset, 4);
    assert.deepEqual(mgr.all().map((l) => `${l.topic}/${l.partition}`).sort(), ['orders-eu/0', 'orders-eu/1']);
    const dirs = mgr.dirs();
    assert.equal(dirs.length, 2);
    const all = dirs.flatMap((d) => d.partitions);
    assert.equal(all.find((p) => p.partition === 0)!.sizeBytes, again.sizeBytes);
    assert.ok(dirs[0]!.totalBytes > 0 && (dirs[0]!.usableBytes ?? 0) > 0);
    assert.equal(mgr.delete('orders-eu', 1), true);
    assert.equal(mgr.get('orders-eu', 1), undefined);
    assert.equal(mgr.all().length, 1);
    mgr.close();
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test('start() runs retention and flush.ms checks on the injected clock; stop() cancels them', () => {
  const { dir, cleanup } = tempDir();
  const clock = new ManualClock();
  try {
    const size = makeBatch({ count: 1 }).length;
    const mgr = new LogManager({ logDirs: [dir], clock, retentionCheckIntervalMs: 10_000, flushCheckIntervalMs: 1000 });
    const log = mgr.open('t', 0, { segmentBytes: size, retentionMs: 5_000, flushMs: 2_000 });
    for (let i = 0; i < 3; i++) log.appendAsLeader(makeBatch({ count: 1, baseTimestamp: clock.now() }), 0);
    assert.equal(log.segmentCount, 3);
    mgr.start();
    clock.advance(2_000);
    assert.equal(log.flushedOffset, 3, 'flush.ms elapsed');
    clock.advance(8_000);
    assert.equal(log.segmentCount, 1, 'retention ran');
    assert.equal(log.logStartOffset, 2);
    mgr.stop();
    assert.equal(clock.pendingTimers, 0);
    mgr.close();
  } finally {
    cleanup();
  }
});
