import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/error-codes.ts';
import { deleteGroup, describeGroup, listGroups, type CommitRequest } from '../../src/group/index.ts';
import { decodeCoordinatorRecord } from '../../src/group/group-records.ts';
import { flush, harness, joinReq, type Harness } from './helpers.ts';

const MINUTE_MS = 60_000;

function commitReq(groupId: string, offsets: Record<string, number>, over: Partial<CommitRequest> = {}): CommitRequest {
  const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; commitTimestamp: number; committedMetadata: string | null }[]>();
  for (const [tp, offset] of Object.entries(offsets)) {
    const [topic, p] = tp.split('-') as [string, string];
    const list = byTopic.get(topic) ?? [];
    byTopic.set(topic, list);
    list.push({ partitionIndex: Number(p), committedOffset: offset, committedLeaderEpoch: 4, commitTimestamp: -1, committedMetadata: 'm' });
  }
  return {
    groupId, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
    topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })), ...over,
  };
}

const codes = (r: { partitions: { errorCode: number }[] }[]): number[] => r.flatMap((t) => t.partitions.map((p) => p.errorCode));

async function stableGroup(h: Harness, groupId: string) {
  const c = h.service.coordinator;
  const j = await c.join(joinReq(groupId, { sessionTimeoutMs: 120_000 }));
  await c.sync({ groupId, generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: j.memberId, assignment: Buffer.from('asg') }] });
  return j;
}

test('simple commits (generation -1) create the group; fetch returns offsets, epoch, metadata, and -1 for the rest', async () => {
  const h = harness();
  const o = h.service.offsets;
  assert.deepEqual(codes(await o.commit(commitReq('g', { 't-0': 5, 't-2': 9 }))), [0, 0]);
  const r = o.fetch('g', [{ name: 't', partitionIndexes: [0, 1] }]);
  assert.deepEqual(r.topics[0]!.partitions.map((p) => [p.committedOffset, p.committedLeaderEpoch, p.metadata]), [[5, 4, 'm'], [-1, -1, '']]);
  const all = o.fetch('g', null);
  assert.deepEqual(all.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]), [['t', [0, 2]]]);
  assert.deepEqual(o.fetch('unknown', null).topics, []);
  h.service.stop();
});

test('bad commits: unknown partition, oversized metadata, unknown group with a generation, wrong member or generation', async () => {
  const h = harness();
  const o = h.service.offsets;
  assert.deepEqual(codes(await o.commit(commitReq('g', { 'nope-0': 1, 't-7': 1 }))), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  const big = commitReq('g', { 't-0': 1 });
  (big.topics[0]!.partitions[0] as { committedMetadata: string }).committedMetadata = 'x'.repeat(4097);
  assert.deepEqual(codes(await o.commit(big)), [ErrorCode.OFFSET_METADATA_TOO_LARGE]);
  assert.deepEqual(codes(await o.commit(commitReq('fresh', { 't-0': 1 }, { generationId: 3, memberId: 'm' }))), [ErrorCode.ILLEGAL_GENERATION]);
  const j = await stableGroup(h, 'live');
  assert.deepEqual(codes(await o.commit(commitReq('live', { 't-0': 1 }))), [ErrorCode.UNKNOWN_MEMBER_ID], 'simple commit to a group with members');
  assert.deepEqual(codes(await o.commit(commitReq('live', { 't-0': 1 }, { generationId: 9, memberId: j.memberId }))), [ErrorCode.ILLEGAL_GENERATION]);
  assert.deepEqual(codes(await o.commit(commitReq('live', { 't-0': 1 }, { generationId: 1, memberId: j.memberId }))), [0]);
  h.service.stop();
});

test('a restart rebuilds groups and offsets from __consumer_offsets; tombstones delete', async () => {
  const h = harness();
  const j = await stableGroup(h, 'g');
  await h.service.offsets.commit(commitReq('g', { 't-0': 10, 't-1': 11 }, { generationId: 1, memberId: j.memberId }));
  await h.service.offsets.commit(commitReq('simple', { 'u-0': 3 }));
  assert.deepEqual((await h.service.offsets.deleteOffsets('simple', [{ name: 'u', partitions: [{ partitionIndex: 0 }] }])).errorCode, 0);
  await h.service.offsets.commit(commitReq('gone', { 'u-1': 3 }));
  assert.equal(await deleteGroup(h.service.coordinator, 'gone'), 0);
  const s = h.restart();
  await s.loaded;
  assert.deepEqual(s.offsets.fetch('g', null).topics[0]!.partitions.map((p) => p.committedOffset), [10, 11]);
  const d = describeGroup(s.coordinator, 'g');
  assert.deepEqual([d.groupState, d.protocolData, d.members.length, d.members[0]!.memberAssignment.toString()], ['Stable', 'range', 1, 'asg']);
  assert.equal(await s.coordinator.heartbeat('g', j.memberId, null, 1), 0, 'the loaded member keeps its session');
  assert.deepEqual(s.offsets.fetch('simple', null).topics, []);
  assert.equal(describeGroup(s.coordinator, 'gone').groupState, 'Dead');
  // 'simple' never wrote group metadata and has no offsets left: like Kafka, it is not loaded at all.
  assert.deepEqual(listGroups(s.coordinator, [], []).groups.map((g) => g.groupId), ['g']);
  s.stop();
});

test('while a partition loads, requests for its groups get COORDINATOR_LOAD_IN_PROGRESS', async () => {
  const h = harness();
  await h.service.offsets.commit(commitReq('g', { 't-0': 1 }));
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const s = h.restart(() => gate);
  assert.equal(s.offsets.fetch('g', null).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.equal((await s.coordinator.join(joinReq('g'))).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  assert.deepEqual(codes(await s.offsets.commit(commitReq('g', { 't-0': 2 }))), [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);
  assert.equal(listGroups(s.coordinator, [], []).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  release();
  await s.loaded;
  assert.equal(s.offsets.fetch('g', null).topics[0]!.partitions[0]!.committedOffset, 1);
  s.stop();
});

test('offset retention: offsets of an Empty group expire after offsets.retention.minutes (tombstones), then the group goes', async () => {
  const h = harness({ offsetsRetentionMs: 10 * MINUTE_MS, offsetsRetentionCheckIntervalMs: MINUTE_MS });
  const o = h.service.offsets;
  await o.commit(commitReq('empty', { 't-0': 1 }));
  const j = await stableGroup(h, 'active');
  await o.commit(commitReq('active', { 't-0': 1 }, { generationId: 1, memberId: j.memberId }));
  await o.commit(commitReq('explicit', { 't-0': 1 }, { retentionTimeMs: 2 * MINUTE_MS }));
  for (let m = 0; m < 3; m++) {
    h.clock.advance(MINUTE_MS);
    await flush();
    await h.service.coordinator.heartbeat('active', j.memberId, null, 1);
  }
  assert.deepEqual(o.fetch('explicit', null).topics, [], 'explicit retention (OffsetCommit v2-4) expired first');
  assert.equal(o.fetch('empty', null).topics.length, 1);
  for (let m = 0; m < 8; m++) {
    h.clock.advance(MINUTE_MS);
    await flush();
    await h.service.coordinator.heartbeat('active', j.memberId, null, 1);
  }
  assert.deepEqual(o.fetch('empty', null).topics, []);
  assert.equal(describeGroup(h.service.coordinator, 'empty').groupState, 'Dead');
  assert.equal(o.fetch('active', null).topics.length, 1, 'a Stable group subscribed to t keeps its offsets');
  const tombstones = [...h.log.partitions.values()].flat().map((r) => decodeCoordinatorRecord(r)).filter((r) => r.type === 'offset' && r.value === null);
  assert.equal(tombstones.length, 2);
  h.service.stop();
});

test('DeleteGroups and OffsetDelete: NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND, GROUP_SUBSCRIBED_TO_TOPIC', async () => {
  const h = harness();
  const c = h.service.coordinator;
  const j = await stableGroup(h, 'g');
  await h.service.offsets.commit(commitReq('g', { 't-0': 1, 'u-0': 2 }, { generationId: 1, memberId: j.memberId }));
  assert.equal(await deleteGroup(c, 'g'), ErrorCode.NON_EMPTY_GROUP);
  assert.equal(await deleteGroup(c, 'nope'), ErrorCode.GROUP_ID_NOT_FOUND);
  const del = await h.service.offsets.deleteOffsets('g', [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'u', partitions: [{ partitionIndex: 0 }] }]);
  assert.deepEqual([del.errorCode, ...codes(del.topics)], [0, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0]);
  assert.deepEqual(h.service.offsets.fetch('g', null).topics.map((t) => t.name), ['t']);
  assert.equal((await h.service.offsets.deleteOffsets('nope', [])).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  await c.leave('g', [{ memberId: j.memberId, groupInstanceId: null }]);
  assert.equal(await deleteGroup(c, 'g'), 0);
  assert.equal(describeGroup(c, 'g').groupState, 'Dead');
  h.service.stop();
});

test('leadership moves: resigning unloads the partition\'s groups (waiting joins get NOT_COORDINATOR), election loads them back', async () => {
  const h = harness({ initialRebalanceDelayMs: 3000 });
  const s = h.service;
  await s.offsets.commit(commitReq('g', { 't-0': 7 }));
  const p = s.store.partitionOf('g');
  const waiting = s.coordinator.join(joinReq('g'));
  await flush();
  assert.equal(s.store.groups.get('g')!.state, 'PreparingRebalance');
  h.log.setLeader(p, false);
  assert.equal((await waiting).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(s.store.groups.has('g'), false);
  assert.equal(s.offsets.fetch('g', null).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(await s.coordinator.heartbeat('g', 'm', null, 1), ErrorCode.NOT_COORDINATOR);
  assert.equal((await s.coordinator.join(joinReq('g'))).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.deepEqual(codes(await s.offsets.commit(commitReq('g', { 't-0': 8 }))), [ErrorCode.NOT_COORDINATOR]);
  h.clock.advance(60_000); // no timer of the unloaded group fires
  h.log.setLeader(p, true);
  assert.equal(s.offsets.fetch('g', null).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  await s.coordinator.onElection(p);
  assert.equal(s.offsets.fetch('g', null).topics[0]!.partitions[0]!.committedOffset, 7);
  s.stop();
});

test('a resignation while the partition loads drops the load', async () => {
  const h = harness();
  await h.service.offsets.commit(commitReq('g', { 't-0': 1 }));
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const s = h.restart(() => gate);
  const p = s.store.partitionOf('g');
  assert.equal(s.offsets.fetch('g', null).errorCode, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  h.log.setLeader(p, false);
  release();
  await s.loaded;
  assert.equal(s.offsets.fetch('g', null).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(s.store.groups.has('g'), false);
  s.stop();
});
