import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeleteGroupsApi, DescribeGroupsApi, FindCoordinatorApi, HeartbeatApi, JoinGroupApi, LeaveGroupApi, ListGroupsApi,
  OffsetCommitApi, OffsetFetchApi, SyncGroupApi, type JoinGroupRequest,
} from '@tributary/protocol/generated/index.ts';
import { ErrorCode } from '../../src/error-codes.ts';
import { subscription } from '../group/helpers.ts';
import { waitFor } from '../network/helpers.ts';
import { TestClient, withBroker, type TestBroker } from '../test-client.ts';

const PROPS = { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3' };

function joinBody(groupId: string, memberId = '', over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }], reason: null, ...over,
  };
}

async function setup(tb: TestBroker): Promise<TestClient> {
  assert.ok((await tb.broker.context.topics.createTopic({ name: 't', numPartitions: 2 })).ok);
  return TestClient.connect(tb.port);
}

/** JoinGroup (with the MEMBER_ID_REQUIRED round for v4+) and SyncGroup of a single member. */
async function joinAndSync(c: TestClient, groupId: string, joinVersion: number, syncVersion: number) {
  let j = await c.request(JoinGroupApi, joinVersion, joinBody(groupId));
  if (joinVersion >= 4) {
    assert.equal(j.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    j = await c.request(JoinGroupApi, joinVersion, joinBody(groupId, j.memberId));
  }
  assert.equal(j.errorCode, 0);
  assert.equal(j.leader, j.memberId);
  assert.match(j.memberId, /^test-client-[0-9a-f-]{36}$/);
  const s = await c.request(SyncGroupApi, syncVersion, {
    groupId, generationId: j.generationId!, memberId: j.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
    assignments: [{ memberId: j.memberId, assignment: Buffer.from('assignment') }],
  });
  assert.equal(s.errorCode, 0);
  assert.equal(s.assignment.toString(), 'assignment');
  return j;
}

test('FindCoordinator v0-6 answers this broker for groups (creating __consumer_offsets), not yet for transactions', () => withBroker(PROPS, async (tb) => {
  const c = await TestClient.connect(tb.port);
  for (const v of [0, 1, 3]) {
    const r = await c.request(FindCoordinatorApi, v, { key: 'g', keyType: 0 });
    assert.deepEqual([r.errorCode, r.nodeId, r.port], [0, 0, tb.port]);
  }
  assert.equal(tb.broker.context.store.topic('__consumer_offsets')!.assignments.length, 3);
  assert.equal(tb.broker.context.replicas.topicConfig('__consumer_offsets')!.compacted, true);
  const batched = await c.request(FindCoordinatorApi, 6, { keyType: 0, coordinatorKeys: ['a', 'b'] });
  assert.deepEqual(batched.coordinators!.map((x) => [x.key, x.errorCode, x.port]), [['a', 0, tb.port], ['b', 0, tb.port]]);
  const txn = await c.request(FindCoordinatorApi, 4, { keyType: 1, coordinatorKeys: ['tx'] });
  assert.equal(txn.coordinators![0]!.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  assert.equal((await c.request(FindCoordinatorApi, 2, { key: 'x', keyType: 9 })).errorCode, ErrorCode.INVALID_REQUEST);
  c.close();
}));

test('newest versions (platformatic): join v9, sync v5, heartbeat v4, commit v9, fetch v9 multi-group, describe/list v5, leave v5', () => withBroker(PROPS, async (tb) => {
  const c = await setup(tb);
  const j = await joinAndSync(c, 'g9', 9, 5);
  assert.equal((await c.request(HeartbeatApi, 4, { groupId: 'g9', generationId: j.generationId!, memberId: j.memberId, groupInstanceId: null })).errorCode, 0);
  const commit = await c.request(OffsetCommitApi, 9, {
    groupId: 'g9', generationIdOrMemberEpoch: j.generationId!, memberId: j.memberId, groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, committedMetadata: 'md' }, { partitionIndex: 5, committedOffset: 1, committedMetadata: null }] }],
  });
  assert.deepEqual(commit.topics[0]!.partitions.map((p) => p.errorCode), [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  const fetched = await c.request(OffsetFetchApi, 9, {
    groups: [{ groupId: 'g9', memberId: null, memberEpoch: -1, topics: null }, { groupId: 'other', topics: [{ name: 't', partitionIndexes: [1] }] }], requireStable: true,
  });
  assert.deepEqual(fetched.groups!.map((g) => [g.groupId, g.errorCode, g.topics.map((t) => t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.metadata]))]), [
    ['g9', 0, [[[0, 42, 3, 'md']]]], ['other', 0, [[[1, -1, -1, '']]]],
  ]);
  const d = await c.request(DescribeGroupsApi, 5, { groups: ['g9', 'nope'], includeAuthorizedOperations: false });
  assert.deepEqual(d.groups.map((g) => [g.groupId, g.errorCode, g.groupState, g.protocolData, g.members.length]), [['g9', 0, 'Stable', 'range', 1], ['nope', 0, 'Dead', '', 0]]);
  assert.equal(d.groups[0]!.members[0]!.memberAssignment.toString(), 'assignment');
  assert.deepEqual(d.groups[0]!.members[0]!.memberMetadata, subscription(['t']));
  const l = await c.request(ListGroupsApi, 5, { statesFilter: ['stable'], typesFilter: ['classic'] });
  assert.deepEqual(l.groups.map((g) => [g.groupId, g.protocolType, g.groupState, g.groupType]), [['g9', 'consumer', 'Stable', 'classic']]);
  const leave = await c.request(LeaveGroupApi, 5, { groupId: 'g9', members: [{ memberId: j.memberId, groupInstanceId: null, reason: null }, { memberId: 'x', groupInstanceId: null, reason: null }] });
  assert.deepEqual([leave.errorCode, ...leave.members!.map((m) => m.errorCode)], [0, 0, ErrorCode.UNKNOWN_MEMBER_ID]);
  const del = await c.request(DeleteGroupsApi, 2, { groupsNames: ['g9', 'g9', 'nope'] });
  assert.deepEqual(del.results.map((r) => r.errorCode), [0, ErrorCode.GROUP_ID_NOT_FOUND, ErrorCode.GROUP_ID_NOT_FOUND]);
  c.close();
}));

test('kafka-python\'s fixed versions: JoinGroup v2, SyncGroup v1, Heartbeat v1, OffsetCommit v2, OffsetFetch v1, LeaveGroup v1', () => withBroker(PROPS, async (tb) => {
  const c = await setup(tb);
  const j = await joinAndSync(c, 'py', 2, 1);
  const commit = await c.request(OffsetCommitApi, 2, {
    groupId: 'py', generationIdOrMemberEpoch: j.generationId!, memberId: j.memberId, retentionTimeMs: -1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 7, committedMetadata: '' }] }],
  });
  assert.equal(commit.topics[0]!.partitions[0]!.errorCode, 0);
  const f = await c.request(OffsetFetchApi, 1, { groupId: 'py', topics: [{ name: 't', partitionIndexes: [0, 1] }] });
  assert.deepEqual(f.topics![0]!.partitions.map((p) => [p.committedOffset, p.errorCode]), [[-1, 0], [7, 0]]);
  assert.equal((await c.request(HeartbeatApi, 1, { groupId: 'py', generationId: j.generationId! + 1, memberId: j.memberId })).errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.equal((await c.request(LeaveGroupApi, 1, { groupId: 'py', memberId: 'ghost' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await c.request(LeaveGroupApi, 1, { groupId: 'py', memberId: j.memberId })).errorCode, 0);
  c.close();
}));

test('bad input over the wire: session timeout, inconsistent protocols, oversized metadata, unknown member, group max size', () => withBroker({ ...PROPS, 'group.max.size': '1' }, async (tb) => {
  const c = await setup(tb);
  assert.equal((await c.request(JoinGroupApi, 5, joinBody('b', '', { sessionTimeoutMs: 100 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await c.request(JoinGroupApi, 5, joinBody('b', '', { protocols: [{ name: 'range', metadata: Buffer.alloc(1_048_577) }] }))).errorCode, ErrorCode.INVALID_REQUEST);
  const j = await joinAndSync(c, 'b', 3, 3);
  assert.equal((await c.request(JoinGroupApi, 3, joinBody('b', j.memberId, { protocolType: 'connect' }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await c.request(JoinGroupApi, 3, joinBody('b', j.memberId, { protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await c.request(JoinGroupApi, 3, joinBody('b'))).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  assert.equal((await c.request(HeartbeatApi, 3, { groupId: 'b', generationId: j.generationId!, memberId: 'ghost', groupInstanceId: null })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await c.request(JoinGroupApi, 3, joinBody('other', 'ghost'))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  c.close();
}));

test('offsets and group metadata survive a broker restart (close + startBroker on the same dir)', () => withBroker(PROPS, async (tb) => {
  let c = await setup(tb);
  const j = await joinAndSync(c, 'keep', 5, 3);
  await c.request(OffsetCommitApi, 7, {
    groupId: 'keep', generationIdOrMemberEpoch: j.generationId!, memberId: j.memberId, groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 100, committedLeaderEpoch: 0, committedMetadata: null }] }],
  });
  c.close();
  await tb.restart();
  await waitFor(() => !tb.broker.context.groups.store.loading, 'group load');
  c = await TestClient.connect(tb.port);
  const f = await c.request(OffsetFetchApi, 7, { groupId: 'keep', topics: null, requireStable: false });
  assert.deepEqual(f.topics![0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset]), [[0, 100]]);
  const d = await c.request(DescribeGroupsApi, 4, { groups: ['keep'], includeAuthorizedOperations: false });
  assert.deepEqual([d.groups[0]!.groupState, d.groups[0]!.members[0]!.memberId, d.groups[0]!.members[0]!.memberAssignment.toString()], ['Stable', j.memberId, 'assignment']);
  assert.equal((await c.request(HeartbeatApi, 3, { groupId: 'keep', generationId: j.generationId!, memberId: j.memberId, groupInstanceId: null })).errorCode, 0);
  c.close();
}));
