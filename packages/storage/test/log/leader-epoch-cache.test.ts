import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LEADER_EPOCH_CHECKPOINT, LeaderEpochCache } from '../../src/log/leader-epoch-cache.ts';
import { tempDir } from '../helpers/batches.ts';

test('the checkpoint is Kafka text format and round-trips', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = LeaderEpochCache.load(dir);
    cache.assign(0, 0);
    cache.assign(2, 10);
    cache.assign(2, 15); // same epoch: no new entry
    cache.assign(5, 30);
    cache.flush(); // new epochs are written in the background; flush() makes the file current now
    assert.equal(fs.readFileSync(path.join(dir, LEADER_EPOCH_CHECKPOINT), 'utf8'), '0\n3\n0 0\n2 10\n5 30\n');
    const again = LeaderEpochCache.load(dir);
    assert.deepEqual(again.all(), [{ epoch: 0, startOffset: 0 }, { epoch: 2, startOffset: 10 }, { epoch: 5, startOffset: 30 }]);
    assert.equal(again.latestEpoch, 5);
  } finally {
    cleanup();
  }
});

test('endOffsetFor answers OffsetForLeaderEpoch as Kafka does', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = LeaderEpochCache.load(dir);
    assert.deepEqual(cache.endOffsetFor(3, 100), { epoch: -1, endOffset: -1 }, 'empty cache');
    cache.assign(1, 5);
    cache.assign(3, 20);
    cache.assign(6, 40);
    assert.deepEqual(cache.endOffsetFor(6, 100), { epoch: 6, endOffset: 100 }, 'latest epoch ends at the log end');
    assert.deepEqual(cache.endOffsetFor(3, 100), { epoch: 3, endOffset: 40 });
    assert.deepEqual(cache.endOffsetFor(4, 100), { epoch: 3, endOffset: 40 }, 'unknown epoch: largest epoch below it');
    assert.deepEqual(cache.endOffsetFor(0, 100), { epoch: 0, endOffset: 5 }, 'before the first epoch');
    assert.deepEqual(cache.endOffsetFor(7, 100), { epoch: -1, endOffset: -1 }, 'after the latest epoch');
    assert.deepEqual(cache.endOffsetFor(-1, 100), { epoch: -1, endOffset: -1 });
  } finally {
    cleanup();
  }
});

test('truncation from the end and from the start', () => {
  const { dir, cleanup } = tempDir();
  try {
    const cache = LeaderEpochCache.load(dir);
    cache.assign(1, 0);
    cache.assign(2, 10);
    cache.assign(3, 20);
    cache.truncateFromEnd(20);
    assert.deepEqual(cache.all(), [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 10 }]);
    cache.truncateFromStart(12);
    assert.deepEqual(cache.all(), [{ epoch: 2, startOffset: 12 }]);
    assert.deepEqual(LeaderEpochCache.load(dir).all(), [{ epoch: 2, startOffset: 12 }]);
  } finally {
    cleanup();
  }
});

test('a malformed checkpoint is a CORRUPT_LOG error', () => {
  const { dir, cleanup } = tempDir();
  try {
    fs.writeFileSync(path.join(dir, LEADER_EPOCH_CHECKPOINT), '0\n2\n1 0\n');
    assert.throws(() => LeaderEpochCache.load(dir), { code: 'CORRUPT_LOG' });
  } finally {
    cleanup();
  }
});

async function waitUntil(what: string, condition: () => boolean, deadlineMs = 5000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('a new epoch is written in the background, off the caller, and coalesced', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, LEADER_EPOCH_CHECKPOINT);
    const cache = LeaderEpochCache.load(dir);
    cache.assign(1, 0);
    cache.assign(2, 10);
    cache.assign(3, 20);
    assert.equal(cache.hasUnflushedChanges, true, 'assign returns before the checkpoint is durable');
    await waitUntil('the background write', () => !cache.hasUnflushedChanges);
    assert.equal(fs.readFileSync(file, 'utf8'), '0\n3\n1 0\n2 10\n3 20\n');
    assert.deepEqual(fs.readdirSync(dir), [LEADER_EPOCH_CHECKPOINT], 'no temp file left behind');
  } finally {
    cleanup();
  }
});

test('flush() writes synchronously and an older background write never overwrites it', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, LEADER_EPOCH_CHECKPOINT);
    const cache = LeaderEpochCache.load(dir);
    cache.assign(1, 0); // background write of "1 0" in flight
    cache.assign(4, 7);
    cache.flush();
    assert.equal(cache.hasUnflushedChanges, false);
    assert.equal(fs.readFileSync(file, 'utf8'), '0\n2\n1 0\n4 7\n');
    cache.truncateFromEnd(7); // synchronous
    await new Promise((r) => setTimeout(r, 50)); // let the overtaken background write finish
    assert.equal(fs.readFileSync(file, 'utf8'), '0\n1\n1 0\n');
    assert.deepEqual(LeaderEpochCache.load(dir).all(), [{ epoch: 1, startOffset: 0 }]);
  } finally {
    cleanup();
  }
});
