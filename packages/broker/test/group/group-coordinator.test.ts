import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/error-codes.ts';
import type { JoinResult } from '../../src/group/index.ts';
import { flush, harness, joinReq, subscription, type Harness } from './helpers.ts';

const SESSION_MS = 10_000;
const REBALANCE_MS = 30_000;

/** Three members join during the initial delay; resolves their join results. */
async function formGroup(h: Harness, groupId = 'g', n = 3): Promise<JoinResult[]> {
  const c = h.service.coordinator;
  const joins = Array.from({ length: n }, (_, i) => c.join(joinReq(groupId, { clientId: `c${i}` })));
  await flush();
  h.clock.advance(3000); // members arrived during the delay: it is extended once (Kafka's InitialDelayedJoin)
  assert.equal(h.service.coordinator.store.groups.get(groupId)!.state, 'PreparingRebalance');
  h.clock.advance(3000);
  return Promise.all(joins);
}

async function syncAll(h: Harness, joined: JoinResult[], groupId = 'g') {
  const c = h.service.coordinator;
  const leader = joined.find((j) => j.leader === j.memberId)!;
  const syncs = joined.map((j) => c.sync({
    groupId, generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
    assignments: j === leader ? joined.map((m) => ({ memberId: m.memberId, assignment: Buffer.from(`a-${m.memberId}`) })) : [],
  }));
  return Promise.all(syncs);
}

test('three members join: one generation, one leader who alone gets the member list; sync hands out the leader\'s assignments', async () => {
  const h = harness({ initialRebalanceDelayMs: 3000 });
  const joined = await formGroup(h);
  assert.deepEqual(joined.map((j) => j.errorCode), [0, 0, 0]);
  assert.equal(new Set(joined.map((j) => j.generationId)).size, 1);
  assert.equal(joined[0]!.generationId, 1);
  assert.equal(new Set(joined.map((j) => j.leader)).size, 1);
  const leaders = joined.filter((j) => j.leader === j.memberId);
  assert.equal(leaders.length, 1);
  assert.equal(leaders[0]!.members.length, 3);
  assert.deepEqual(leaders[0]!.members[0]!.metadata, subscription(['t']));
  assert.ok(joined.filter((j) => j !== leaders[0]).every((j) => j.members.length === 0));
  assert.ok(joined.every((j) => j.memberId.startsWith('c') && j.protocolName === 'range'));
  assert.equal(h.service.coordinator.store.groups.get('g')!.state, 'CompletingRebalance');
  const synced = await syncAll(h, joined);
  assert.deepEqual(synced.map((s) => s.errorCode), [0, 0, 0]);
  assert.deepEqual(synced.map((s) => s.assignment.toString()), joined.map((j) => `a-${j.memberId}`));
  assert.equal(h.service.coordinator.store.groups.get('g')!.state, 'Stable');
  h.service.stop();
});

test('a join during Stable starts a rebalance: heartbeats get REBALANCE_IN_PROGRESS until everyone rejoins', async () => {
  const h = harness({ initialRebalanceDelayMs: 3000 });
  const c = h.service.coordinator;
  const joined = await formGroup(h, 'g', 2);
  await syncAll(h, joined);
  const newcomer = c.join(joinReq('g', { clientId: 'late' }));
  await flush();
  assert.equal(c.store.groups.get('g')!.state, 'PreparingRebalance');
  assert.equal(await c.heartbeat('g', joined[0]!.memberId, null, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoins = joined.map((j) => c.join(joinReq('g', { memberId: j.memberId })));
  const all = await Promise.all([newcomer, ...rejoins]);
  assert.ok(all.every((r) => r.errorCode === 0 && r.generationId === 2));
  assert.equal(await c.heartbeat('g', joined[0]!.memberId, null, 2), ErrorCode.NONE);
  assert.equal(await c.heartbeat('g', joined[0]!.memberId, null, 1), ErrorCode.ILLEGAL_GENERATION);
  h.service.stop();
});

test('a member whose session expires is removed and the group rebalances without it', async () => {
  const h = harness({ initialRebalanceDelayMs: 3000 });
  const c = h.service.coordinator;
  const joined = await formGroup(h, 'g', 2);
  await syncAll(h, joined);
  const [a, b] = joined as [JoinResult, JoinResult];
  h.clock.advance(SESSION_MS / 2);
  assert.equal(await c.heartbeat('g', a.memberId, null, 1), ErrorCode.NONE);
  h.clock.advance(SESSION_MS / 2);
  assert.equal(await c.heartbeat('g', a.memberId, null, 1), ErrorCode.REBALANCE_IN_PROGRESS, 'b expired: rebalance');
  const group = c.store.groups.get('g')!;
  assert.equal(group.has(b.memberId), false, 'b stopped heartbeating and expired');
  assert.equal(group.state, 'PreparingRebalance');
  assert.equal(await c.heartbeat('g', b.memberId, null, 1), ErrorCode.UNKNOWN_MEMBER_ID);
  const rejoin = await c.join(joinReq('g', { memberId: a.memberId }));
  assert.deepEqual([rejoin.errorCode, rejoin.generationId, rejoin.leader, rejoin.members.length], [0, 2, a.memberId, 1]);
  h.service.stop();
});

test('members that do not rejoin within the rebalance timeout are removed', async () => {
  const h = harness({ initialRebalanceDelayMs: 3000 });
  const c = h.service.coordinator;
  const joined = await formGroup(h, 'g', 3);
  await syncAll(h, joined);
  const rejoin = c.join(joinReq('g', { memberId: joined[0]!.memberId, protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] }));
  await flush();
  // the others keep heartbeating (REBALANCE_IN_PROGRESS) but never rejoin
  for (let t = 0; t < REBALANCE_MS / 5000; t++) {
    h.clock.advance(5000);
    for (const j of joined.slice(1)) await c.heartbeat('g', j.memberId, null, 1);
  }
  const r = await rejoin;
  assert.deepEqual([r.errorCode, r.generationId, r.members.length], [0, 2, 1]);
  assert.equal(c.store.groups.get('g')!.size, 1);
  h.service.stop();
});

test('JoinGroup v4+: an unknown member gets MEMBER_ID_REQUIRED with its id, then joins with it', async () => {
  const h = harness();
  const c = h.service.coordinator;
  const first = await c.join(joinReq('g', { requireKnownMemberId: true, clientId: 'cl' }));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.equal(first.memberId, 'cl-uuid1');
  const second = await c.join(joinReq('g', { requireKnownMemberId: true, clientId: 'cl', memberId: first.memberId }));
  assert.deepEqual([second.errorCode, second.memberId, second.leader, second.generationId], [0, 'cl-uuid1', 'cl-uuid1', 1]);
  const stranger = await c.join(joinReq('g', { memberId: 'nobody' }));
  assert.equal(stranger.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  h.service.stop();
});

test('a static member rejoining with unchanged protocols replaces its old id without a rebalance; the old id is fenced', async () => {
  const h = harness();
  const c = h.service.coordinator;
  const j1 = await c.join(joinReq('g', { groupInstanceId: 'i1' }));
  await c.sync({ groupId: 'g', generationId: 1, memberId: j1.memberId, groupInstanceId: 'i1', protocolType: null, protocolName: null, assignments: [{ memberId: j1.memberId, assignment: Buffer.from('A') }] });
  const again = await c.join(joinReq('g', { groupInstanceId: 'i1' }));
  assert.equal(again.errorCode, 0);
  assert.notEqual(again.memberId, j1.memberId);
  assert.equal(again.generationId, 1, 'no new generation');
  assert.equal(again.skipAssignment, true, 'the static leader keeps the current assignment');
  const group = c.store.groups.get('g')!;
  assert.equal(group.state, 'Stable');
  const synced = await c.sync({ groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'i1', protocolType: null, protocolName: null, assignments: [] });
  assert.equal(synced.assignment.toString(), 'A');
  assert.equal(await c.heartbeat('g', j1.memberId, 'i1', 1), ErrorCode.FENCED_INSTANCE_ID);
  const changed = await c.join(joinReq('g', { groupInstanceId: 'i1', protocols: [{ name: 'range', metadata: subscription(['u']) }] }));
  assert.deepEqual([changed.errorCode, changed.generationId], [0, 2], 'changed protocols rebalance');
  h.service.stop();
});

test('protocol selection: only protocols every member supports, most votes wins', async () => {
  const h = harness({ initialRebalanceDelayMs: 3000 });
  const c = h.service.coordinator;
  const m = Buffer.alloc(0);
  const joins = [
    c.join(joinReq('g', { protocols: [{ name: 'roundrobin', metadata: m }, { name: 'range', metadata: m }, { name: 'sticky', metadata: m }] })),
    c.join(joinReq('g', { protocols: [{ name: 'range', metadata: m }, { name: 'roundrobin', metadata: m }] })),
    c.join(joinReq('g', { protocols: [{ name: 'range', metadata: m }, { name: 'sticky', metadata: m }, { name: 'roundrobin', metadata: m }] })),
  ];
  await flush();
  const bad = await c.join(joinReq('g', { protocols: [{ name: 'sticky', metadata: m }] }));
  assert.equal(bad.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'sticky is not supported by every member');
  const wrongType = await c.join(joinReq('g', { protocolType: 'connect' }));
  assert.equal(wrongType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'protocol type must match');
  h.clock.advance(6000);
  const results = await Promise.all(joins);
  assert.ok(results.every((r) => r.protocolName === 'range'));
  h.service.stop();
});

test('bad input: session timeout bounds, group.max.size, oversized metadata, unknown group and wrong generation', async () => {
  const h = harness({ maxSize: 1 });
  const c = h.service.coordinator;
  assert.equal((await c.join(joinReq('g', { sessionTimeoutMs: 5999 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await c.join(joinReq('g', { sessionTimeoutMs: 1_800_001 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.equal((await c.join(joinReq('', {}))).errorCode, ErrorCode.INVALID_GROUP_ID);
  const big = Buffer.alloc(1_048_577);
  assert.equal((await c.join(joinReq('g', { protocols: [{ name: 'range', metadata: big }] }))).errorCode, ErrorCode.INVALID_REQUEST);
  const one = await c.join(joinReq('g'));
  assert.equal(one.errorCode, 0);
  assert.equal((await c.join(joinReq('g'))).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  const sync = (generationId: number, memberId: string) => c.sync({ groupId: 'g', generationId, memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
  assert.equal((await sync(7, one.memberId)).errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.equal((await sync(1, 'ghost')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal((await c.heartbeat('nope', 'm', null, 1)), ErrorCode.UNKNOWN_MEMBER_ID);
  const v5 = await c.sync({ groupId: 'g', generationId: 1, memberId: one.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'roundrobin', assignments: [] });
  assert.equal(v5.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  h.service.stop();
});

test('LeaveGroup removes members (batch, by instance id) with per-member errors, then the group goes Empty', async () => {
  const h = harness();
  const c = h.service.coordinator;
  const a = await c.join(joinReq('g', { groupInstanceId: 'ia' }));
  const r = await c.leave('g', [
    { memberId: '', groupInstanceId: 'ia' }, { memberId: 'ghost', groupInstanceId: null }, { memberId: 'x', groupInstanceId: 'nope' },
  ]);
  assert.deepEqual(r.members.map((m) => m.errorCode), [0, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.equal(c.store.groups.get('g')!.state, 'Empty');
  assert.equal(a.errorCode, 0);
  h.service.stop();
});
