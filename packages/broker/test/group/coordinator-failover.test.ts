/**
 * The group coordinator follows leadership of `__consumer_offsets` (DESIGN.md §4): three in-process
 * brokers share one metadata store, the test plays the controller by moving the partition's leader,
 * and the groups move with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FindCoordinatorApi, HeartbeatApi, JoinGroupApi, OffsetCommitApi, OffsetFetchApi, type JoinGroupRequest,
} from '@tributary/protocol/generated/index.ts';
import { ErrorCode } from '../../src/error-codes.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../../src/replica/index.ts';
import type { TestClient } from '../test-client.ts';
import { waitFor, withCluster, type TestCluster } from '../replica/cluster-helpers.ts';
import { subscription } from './helpers.ts';

/** One `__consumer_offsets` partition on all three brokers; joins wait in the initial delay. */
const PROPS = {
  'offsets.topic.num.partitions': '1', 'offsets.topic.replication.factor': '3',
  'group.initial.rebalance.delay.ms': '60000',
};

/** Polls an async condition (a request) until it holds or the deadline passes. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

function joinBody(groupId: string): JoinGroupRequest {
  return {
    groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }], reason: null,
  };
}

async function findCoordinator(c: TestClient, groupId: string): Promise<{ errorCode: number; nodeId: number; port: number }> {
  const r = await c.request(FindCoordinatorApi, 3, { key: groupId, keyType: 0 });
  return { errorCode: r.errorCode ?? -1, nodeId: r.nodeId ?? -1, port: r.port ?? -1 };
}

async function commit(c: TestClient, groupId: string, offset: number): Promise<number> {
  const r = await c.request(OffsetCommitApi, 8, {
    groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  return r.topics[0]!.partitions[0]!.errorCode;
}

async function fetchOffset(c: TestClient, groupId: string): Promise<{ errorCode: number; offset: number }> {
  const r = await c.request(OffsetFetchApi, 7, { groupId, topics: [{ name: 't', partitionIndexes: [0] }], requireStable: false });
  return { errorCode: r.errorCode ?? -1, offset: r.topics?.[0]?.partitions[0]?.committedOffset ?? -1 };
}

/** Creates `__consumer_offsets` through broker 0 (leader 0, replicas 0-2) and topic `t`. */
async function setup(c: TestCluster): Promise<TestClient[]> {
  await c.createTopic('t', [[0, 1, 2]]);
  const clients = [await c.client(0), await c.client(1), await c.client(2)];
  assert.equal((await findCoordinator(clients[1]!, 'g')).errorCode, ErrorCode.NONE);
  await waitFor(() => [0, 1, 2].every((id) => c.broker(id).context.replicas.partition(CONSUMER_OFFSETS_TOPIC, 0) !== undefined), 'offsets topic hosted');
  assert.equal(c.store.partitionState(CONSUMER_OFFSETS_TOPIC, 0)!.leader, 0);
  return clients;
}

test('offsets committed on broker 0 are served by broker 1 once it leads the partition; FindCoordinator follows, broker 0 answers NOT_COORDINATOR', () => withCluster(3, PROPS, async (c) => {
  const [c0, c1, c2] = await setup(c);
  for (const client of [c0!, c1!, c2!]) assert.equal((await findCoordinator(client, 'g')).nodeId, 0);
  assert.equal((await fetchOffset(c1!, 'g')).errorCode, ErrorCode.NOT_COORDINATOR, 'a follower is not the coordinator');
  assert.equal(await commit(c0!, 'g', 42), ErrorCode.NONE);
  assert.ok(c.partition(0, CONSUMER_OFFSETS_TOPIC).highWatermark >= 1, 'the commit was answered once replicated');

  await c.electLeader(CONSUMER_OFFSETS_TOPIC, 0, 1);
  const moved = await findCoordinator(c2!, 'g');
  assert.deepEqual([moved.errorCode, moved.nodeId, moved.port], [ErrorCode.NONE, 1, c.broker(1).listeners[0]!.port]);
  await until(async () => (await fetchOffset(c1!, 'g')).errorCode === ErrorCode.NONE, 'broker 1 loaded the group');
  assert.deepEqual(await fetchOffset(c1!, 'g'), { errorCode: ErrorCode.NONE, offset: 42 });

  assert.equal((await fetchOffset(c0!, 'g')).errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(await commit(c0!, 'g', 43), ErrorCode.NOT_COORDINATOR);
  const hb = await c0!.request(HeartbeatApi, 4, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
  assert.equal(hb.errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal((await c0!.request(JoinGroupApi, 7, joinBody('g'))).errorCode, ErrorCode.NOT_COORDINATOR);

  // The new coordinator takes commits, and leadership can come back with them.
  assert.equal(await commit(c1!, 'g', 50), ErrorCode.NONE);
  await waitFor(() => c.partition(0, CONSUMER_OFFSETS_TOPIC).logEndOffset >= c.partition(1, CONSUMER_OFFSETS_TOPIC).logEndOffset, 'broker 0 caught up');
  await c.electLeader(CONSUMER_OFFSETS_TOPIC, 0, 0);
  await until(async () => (await fetchOffset(c0!, 'g')).errorCode === ErrorCode.NONE, 'broker 0 loaded the group again');
  assert.deepEqual(await fetchOffset(c0!, 'g'), { errorCode: ErrorCode.NONE, offset: 50 });
  assert.equal((await fetchOffset(c1!, 'g')).errorCode, ErrorCode.NOT_COORDINATOR);
}));

test('a JoinGroup waiting on the old coordinator is answered NOT_COORDINATOR when leadership moves', () => withCluster(3, PROPS, async (c) => {
  const [c0] = await setup(c);
  const pending = c0!.request(JoinGroupApi, 3, joinBody('waiting'));
  const group = (): string | undefined => c.broker(0).context.groups.store.groups.get('waiting')?.state;
  await waitFor(() => group() === 'PreparingRebalance', 'the join waits in the initial rebalance delay');
  await c.electLeader(CONSUMER_OFFSETS_TOPIC, 0, 2);
  const r = await pending;
  assert.equal(r.errorCode, ErrorCode.NOT_COORDINATOR);
  assert.equal(group(), undefined, 'the group left the old coordinator\'s cache');
  assert.equal((await findCoordinator(c0!, 'waiting')).nodeId, 2);
}));

test('FindCoordinator answers COORDINATOR_NOT_AVAILABLE while the partition has no leader', () => withCluster(3, PROPS, async (c) => {
  const [c0, c1] = await setup(c);
  const s = c.store.partitionState(CONSUMER_OFFSETS_TOPIC, 0)!;
  await c.store.updatePartitionState(CONSUMER_OFFSETS_TOPIC, 0, { leader: -1, leaderEpoch: s.leaderEpoch + 1, isr: [...s.isr] }, s.version);
  assert.equal((await findCoordinator(c1!, 'g')).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  assert.equal((await fetchOffset(c0!, 'g')).errorCode, ErrorCode.NOT_COORDINATOR);
}));
