import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecordBatches } from '@tributary/protocol';
import { FetchApi, OffsetForLeaderEpochApi, type FetchRequest } from '@tributary/protocol/generated/index.ts';
import { ErrorCode } from '../../src/error-codes.ts';
import { logBytes, produce, waitFor, withCluster, type TestCluster } from './cluster-helpers.ts';

const T = 't';

function values(c: TestCluster, id: number): string[] {
  return decodeRecordBatches(logBytes(c, id, T)).flatMap((b) => b.records.map((r) => r.value!.toString()));
}

async function waitIdentical(c: TestCluster, ids: number[], leo: number): Promise<void> {
  await waitFor(() => ids.every((id) => c.partition(id, T).logEndOffset === leo), `log end offset ${leo} on ${ids.join(',')}`, 10000);
  const leader = logBytes(c, ids[0]!, T);
  for (const id of ids.slice(1)) assert.ok(logBytes(c, id, T).equals(leader), `replica ${id} holds the leader's bytes`);
}

function consumerFetch(offset: number): FetchRequest {
  return {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: T, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1 }] }],
    forgottenTopicsData: [], rackId: '',
  };
}

test('RF=3 acks=all: all three logs hold identical bytes and the HW advances on every replica', () => withCluster(3, {}, async (c) => {
  await c.createTopic(T, [[0, 1, 2]]);
  const client = await c.client(0);
  assert.deepEqual(await produce(client, T, ['a', 'b']), { errorCode: 0, baseOffset: 0 });
  assert.equal(c.partition(0, T).highWatermark >= 2, true, 'acks=all answered after the HW passed the batch');
  assert.deepEqual(await produce(client, T, ['c']), { errorCode: 0, baseOffset: 2 });
  assert.deepEqual(await produce(client, T, ['d'], 1), { errorCode: 0, baseOffset: 3 });
  await waitIdentical(c, [0, 1, 2], 4);
  await waitFor(() => [0, 1, 2].every((id) => c.partition(id, T).highWatermark === 4), 'HW 4 everywhere', 10000);
  for (const id of [1, 2]) assert.deepEqual(c.partition(id, T).log.leaderEpochEntries, [{ epoch: 0, startOffset: 0 }]);
  assert.deepEqual(c.store.partitionState(T, 0)!.isr, [0, 1, 2]);
}));

test('NOT_LEADER_OR_FOLLOWER on a follower (produce, consumer fetch, OffsetForLeaderEpoch); OffsetForLeaderEpoch on the leader', () => withCluster(3, {}, async (c) => {
  await c.createTopic(T, [[0, 1, 2]]);
  await produce(await c.client(0), T, ['a', 'b']);
  const follower = await c.client(1);
  assert.equal((await produce(follower, T, ['x'])).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.equal((await produce(follower, T, ['x'], 1)).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const f = await follower.request(FetchApi, 12, consumerFetch(0));
  assert.equal(f.responses[0]!.partitions[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const ask = (currentLeaderEpoch: number, leaderEpoch: number) => ({ replicaId: -1, topics: [{ topic: T, partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }] });
  const onFollower = await follower.request(OffsetForLeaderEpochApi, 4, ask(-1, 0));
  assert.equal(onFollower.topics[0]!.partitions[0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const leader = await c.client(0);
  for (const v of [0, 1, 2, 3, 4]) {
    const r = (await leader.request(OffsetForLeaderEpochApi, v, ask(-1, 0))).topics[0]!.partitions[0]!;
    assert.deepEqual([r.errorCode, r.endOffset], [0, 2], `v${v}`);
    if (v >= 1) assert.equal(r.leaderEpoch, 0);
  }
  const fenced = (await leader.request(OffsetForLeaderEpochApi, 4, ask(1, 0))).topics[0]!.partitions[0]!;
  assert.equal(fenced.errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
  await c.electLeader(T, 0, 0); // same leader, epoch 1
  await waitFor(() => c.partition(0, T).leaderEpoch === 1, 'epoch 1');
  const stale = (await leader.request(OffsetForLeaderEpochApi, 4, ask(0, 0))).topics[0]!.partitions[0]!;
  assert.equal(stale.errorCode, ErrorCode.FENCED_LEADER_EPOCH);
  const current = (await leader.request(OffsetForLeaderEpochApi, 4, ask(1, 0))).topics[0]!.partitions[0]!;
  assert.deepEqual([current.errorCode, current.leaderEpoch, current.endOffset], [0, 0, 2]);
}));

test('min.insync.replicas=2: a stopped follower leaves the ISR after replica.lag.time.max.ms, acks=all goes on, and it rejoins after a restart', () =>
  withCluster(3, { 'replica.lag.time.max.ms': '1000' }, async (c) => {
    await c.createTopic(T, [[0, 1, 2]], { 'min.insync.replicas': '2' });
    const client = await c.client(0);
    assert.equal((await produce(client, T, ['a'])).errorCode, 0);
    await c.stopBroker(2);
    const r = await produce(client, T, ['b', 'c']);
    assert.deepEqual(r, { errorCode: 0, baseOffset: 1 }, 'acks=all succeeds once the ISR shrank to two');
    assert.deepEqual(c.store.partitionState(T, 0)!.isr, [0, 1]);
    await waitIdentical(c, [0, 1], 3);
    await c.startBroker(2);
    await waitFor(() => c.store.partitionState(T, 0)!.isr.includes(2), 'broker 2 back in the ISR', 10000);
    await waitIdentical(c, [0, 1, 2], 3);
    assert.deepEqual(values(c, 2), ['a', 'b', 'c']);
  }));

test('acks=all: ISR shrink while waiting -> NOT_ENOUGH_REPLICAS_AFTER_APPEND; ISR below min.insync.replicas -> NOT_ENOUGH_REPLICAS before the append', () =>
  withCluster(3, { 'replica.lag.time.max.ms': '1000' }, async (c) => {
    await c.createTopic(T, [[0, 1, 2]], { 'min.insync.replicas': '2' });
    const client = await c.client(0);
    assert.equal((await produce(client, T, ['a'])).errorCode, 0);
    await c.stopBroker(1);
    await c.stopBroker(2);
    const during = await produce(client, T, ['b']);
    assert.equal(during.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    assert.deepEqual(c.store.partitionState(T, 0)!.isr, [0]);
    const leo = c.partition(0, T).logEndOffset;
    assert.equal(leo, 2, 'the batch was appended before the ISR shrank');
    assert.equal((await produce(client, T, ['c'])).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.equal(c.partition(0, T).logEndOffset, leo, 'nothing appended');
    assert.deepEqual(await produce(client, T, ['d'], 1), { errorCode: 0, baseOffset: 2 }, 'acks=1 still works');
  }));

test('leader change: the new leader serves; the old leader becomes a follower of it', () => withCluster(3, {}, async (c) => {
  await c.createTopic(T, [[0, 1, 2]]);
  assert.equal((await produce(await c.client(0), T, ['a', 'b'])).errorCode, 0);
  await c.electLeader(T, 0, 1);
  await waitFor(() => c.partition(1, T).isLeader && c.partition(0, T).role === 'follower', 'leadership moved');
  assert.equal((await produce(await c.client(0), T, ['x'])).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.deepEqual(await produce(await c.client(1), T, ['c']), { errorCode: 0, baseOffset: 2 });
  await waitIdentical(c, [1, 0, 2], 3);
  assert.deepEqual(c.partition(0, T).log.leaderEpochEntries, [{ epoch: 0, startOffset: 0 }, { epoch: 1, startOffset: 2 }]);
}));

test('an old leader truncates its unreplicated acks=1 records by OffsetForLeaderEpoch, not to its HW, and the epochs survive a restart', () =>
  withCluster(3, {}, async (c) => {
    await c.createTopic(T, [[0, 1, 2]]);
    const c0 = await c.client(0);
    assert.equal((await produce(c0, T, ['a', 'b'])).errorCode, 0);
    await waitIdentical(c, [0, 1, 2], 2);
    await c.stopBroker(1);
    await c.stopBroker(2);
    assert.deepEqual(await produce(c0, T, ['x', 'y', 'z'], 1), { errorCode: 0, baseOffset: 2 }); // never replicated
    await c.stopBroker(0);
    await c.electLeader(T, 0, 1, [1, 2]); // the controller picks a new leader from the ISR, epoch 1
    await c.startBroker(1);
    await c.startBroker(2);
    const c1 = await c.client(1);
    assert.deepEqual(await produce(c1, T, ['n1']), { errorCode: 0, baseOffset: 2 });
    assert.deepEqual(await produce(c1, T, ['n2', 'n3', 'n4']), { errorCode: 0, baseOffset: 3 });
    await c.startBroker(0);
    await waitIdentical(c, [1, 2, 0], 6);
    assert.deepEqual(values(c, 0), ['a', 'b', 'n1', 'n2', 'n3', 'n4']);
    const truncations = c.events.filter(([id, msg]) => id === 0 && msg === 'truncating follower by leader epoch').map(([, , f]) => [f['from'], f['to']]);
    assert.deepEqual(truncations, [[5, 2]], 'only the divergent suffix went (its HW was 0 after the restart)');
    await waitFor(() => c.store.partitionState(T, 0)!.isr.includes(0), 'old leader rejoins the ISR', 10000);
    const epochs = [{ epoch: 0, startOffset: 0 }, { epoch: 1, startOffset: 2 }];
    assert.deepEqual(c.partition(0, T).log.leaderEpochEntries, epochs);
    await c.stopBroker(0);
    await c.startBroker(0);
    assert.deepEqual(c.partition(0, T).log.leaderEpochEntries, epochs, 'epoch checkpoint survives a restart');
  }));
