import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch } from '@tributary/protocol';
import { PartitionLog } from '@tributary/storage';
import { Partition } from '../../src/replica/partition.ts';

const batch = (n: number): Buffer => encodeRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${i}`) })) });

async function withLog(fn: (log: PartitionLog) => Promise<void> | void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-partition-'));
  const log = PartitionLog.open(join(dir, 't-0'));
  try { await fn(log); } finally { log.close(); await rm(dir, { recursive: true, force: true }); }
}

test('single replica: HW follows the log end offset and notifies listeners', () => withLog((log) => {
  const p = new Partition('t', 0, 'id', log, { leader: 0, leaderEpoch: 0, isr: [0], version: 0 }, 0);
  let woken = 0;
  const off = p.onHighWatermarkAdvance(() => woken++);
  p.appendAsLeader(batch(3));
  assert.equal(p.highWatermark, 3);
  assert.equal(woken, 1);
  off();
  p.appendAsLeader(batch(1));
  assert.equal(woken, 1);
  assert.equal(p.highWatermark, 4);
}));

test('with followers in the ISR the HW is the minimum of their log end offsets and never moves back', () => withLog((log) => {
  const p = new Partition('t', 0, 'id', log, { leader: 0, leaderEpoch: 0, isr: [0, 1, 2], version: 0 }, 0, [0, 1, 2]);
  p.appendAsLeader(batch(5));
  assert.equal(p.highWatermark, 0);
  p.updateFollowerLogEndOffset(1, 5);
  assert.equal(p.highWatermark, 0);
  p.updateFollowerLogEndOffset(2, 3);
  assert.equal(p.highWatermark, 3);
  p.updateFollowerLogEndOffset(2, 1); // a stale report cannot pull the HW back
  assert.equal(p.highWatermark, 3);
  p.applyState({ leader: 0, leaderEpoch: 0, isr: [0, 1], version: 1 }); // 2 leaves the ISR
  assert.equal(p.highWatermark, 5);
  assert.throws(() => p.applyState({ leader: 0, leaderEpoch: -1, isr: [0], version: 2 }));
}));

test('a leader records its epoch when leadership starts (construction, new epoch), not on the first append', () => withLog((log) => {
  const p = new Partition('t', 0, 'id', log, { leader: 0, leaderEpoch: 2, isr: [0], version: 0 }, 0);
  assert.deepEqual(log.leaderEpochEntries, [{ epoch: 2, startOffset: 0 }]);
  p.appendAsLeader(batch(3));
  p.applyState({ leader: 0, leaderEpoch: 5, isr: [0], version: 1 });
  assert.deepEqual(log.leaderEpochEntries, [{ epoch: 2, startOffset: 0 }, { epoch: 5, startOffset: 3 }]);
  p.applyState({ leader: 1, leaderEpoch: 6, isr: [0, 1], version: 2 });
  assert.equal(log.latestEpoch, 5, 'a follower does not start an epoch');
}));

test('ISR shrink: a follower not caught up for replica.lag.time.max.ms is dropped; one at the leader end never is', () => withLog((log) => {
  const p = new Partition('t', 0, 'id', log, { leader: 0, leaderEpoch: 0, isr: [0, 1, 2], version: 0 }, 0, [0, 1, 2], 1000);
  p.appendAsLeader(batch(4));
  p.recordFollowerFetch(1, 4, 1500); // caught up
  p.recordFollowerFetch(2, 2, 1500); // behind
  assert.equal(p.isrShrink(2000, 1000), null, 'within the lag time');
  assert.deepEqual(p.isrShrink(2001, 1000), [0, 1], 'follower 2 last caught up at 1000 (leadership start)');
  assert.deepEqual(p.isrShrink(2600, 1000), [0, 1], 'follower 1 sits at the leader end: in sync however old its fetch');
  p.recordFollowerFetch(2, 4, 2100); // reaches the leader end: caught up again
  assert.equal(p.isrShrink(2600, 1000), null);
}));

test('ISR expansion needs LEO >= HW and within the current leader epoch; a proposed ISR counts for the HW', () => withLog((log) => {
  const p = new Partition('t', 0, 'id', log, { leader: 0, leaderEpoch: 0, isr: [0, 1], version: 0 }, 0, [0, 1, 2]);
  p.appendAsLeader(batch(4));
  p.recordFollowerFetch(1, 4, 1);
  assert.equal(p.highWatermark, 4);
  p.recordFollowerFetch(2, 3, 1);
  assert.equal(p.isrExpansion(2), null, 'below the HW');
  p.recordFollowerFetch(2, 4, 2);
  assert.deepEqual(p.isrExpansion(2), [0, 1, 2]);
  p.setProposedIsr([0, 1, 2]);
  p.appendAsLeader(batch(2));
  p.recordFollowerFetch(1, 6, 3);
  assert.equal(p.highWatermark, 4, 'the proposed member holds the HW back while the write is in flight');
  p.setProposedIsr(null);
  p.applyState({ leader: 0, leaderEpoch: 0, isr: [0, 1, 2], version: 1 });
  p.recordFollowerFetch(2, 6, 4);
  assert.equal(p.highWatermark, 6);
  p.applyState({ leader: 0, leaderEpoch: 1, isr: [0, 1], version: 2 }); // new epoch starts at 6
  p.recordFollowerFetch(2, 6, 5);
  assert.deepEqual(p.isrExpansion(2), [0, 1, 2]);
}));

test('follower: HW is min(leader HW, own LEO) and never lower, except down to a truncated log end', () => withLog((log) => {
  const p = new Partition('t', 0, 'id', log, { leader: 1, leaderEpoch: 0, isr: [0, 1], version: 0 }, 0, [0, 1]);
  assert.equal(p.role, 'follower');
  assert.throws(() => p.appendAsLeader(batch(1)), /invariant/);
  const leaderLog = batch(3);
  leaderLog.writeBigInt64BE(0n, 0);
  p.appendAsFollower(leaderLog);
  p.updateFollowerHighWatermark(10);
  assert.equal(p.highWatermark, 3);
  p.updateFollowerHighWatermark(1);
  assert.equal(p.highWatermark, 3);
  p.truncateTo(0);
  assert.equal(p.highWatermark, 0);
  const change = p.applyState({ leader: 0, leaderEpoch: 1, isr: [0, 1], version: 1 });
  assert.deepEqual(change, { role: 'leader', changed: true });
  assert.throws(() => p.truncateTo(0), /invariant/);
}));
