import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupConsumer, type GroupConsumerOptions } from '../../src/consumer/group-consumer.ts';
import type { ConsumerRecord } from '../../src/consumer/record-decoder.ts';
import type { TopicPartition } from '../../src/consumer/assignors/types.ts';
import { Producer } from '../../src/producer/producer.ts';
import { FakeCluster } from '../fake-cluster.ts';
import { FakeGroupCoordinator } from '../fake-group-coordinator.ts';

async function withGroupCluster(fn: (c: FakeCluster, gc: FakeGroupCoordinator) => Promise<void>, maxVersions: Partial<Record<number, number>> = {}): Promise<void> {
  const c = await new FakeCluster().start();
  const gc = new FakeGroupCoordinator(c, maxVersions);
  try {
    await fn(c, gc);
  } finally {
    gc.close();
    await c.close();
  }
}

async function fill(c: FakeCluster, topic: string, partitions: number, n: number): Promise<void> {
  const p = new Producer({ bootstrapServers: c.bootstrap, lingerMs: 1 });
  await p.connect();
  for (let part = 0; part < partitions; part++) {
    await p.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: `p${part}-${i}`, partition: part })) });
  }
  await p.close();
}

function member(c: FakeCluster, extra: Partial<GroupConsumerOptions> = {}): GroupConsumer {
  return new GroupConsumer({
    bootstrapServers: c.bootstrap, groupId: 'g', maxWaitMs: 20, heartbeatIntervalMs: 30, sessionTimeoutMs: 3000,
    rebalanceTimeoutMs: 3000, autoOffsetReset: 'earliest', retryBackoffMs: 10, ...extra,
  });
}

/** Polls every consumer concurrently until `done()` holds after some poll, or the deadline passes. */
async function pollAll(consumers: GroupConsumer[], done: () => boolean, sink: ConsumerRecord[] = [], deadlineMs = 8000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let stop = false;
  await Promise.all(consumers.map(async (c) => {
    while (!stop && Date.now() < deadline) {
      sink.push(...await c.poll());
      if (done()) stop = true;
    }
  }));
  assert.ok(done(), 'condition not reached before the deadline');
}

const names = (list: TopicPartition[]): string[] => list.map((tp) => `${tp.topic}-${tp.partition}`);
const stableWith = (consumers: GroupConsumer[], total: number): boolean => {
  const all = consumers.flatMap((c) => names(c.assignment()));
  const gens = new Set(consumers.map((c) => c.generationId));
  return all.length === total && new Set(all).size === total && gens.size === 1;
};

test('a single member joins through MEMBER_ID_REQUIRED, owns every partition and reads from the start', () => withGroupCluster(async (c, gc) => {
  c.createTopic('t', 3);
  await fill(c, 't', 3, 10);
  const consumer = member(c);
  await consumer.connect();
  consumer.subscribe(['t']);
  const records: ConsumerRecord[] = [];
  await pollAll([consumer], () => records.length >= 30, records);
  assert.equal(records.length, 30);
  assert.ok(gc.log.some((l) => l.includes('MEMBER_ID_REQUIRED')));
  assert.deepEqual(names(consumer.assignment()), ['t-0', 't-1', 't-2']);
  assert.equal(consumer.protocolName, 'range');
  await consumer.commit();
  assert.deepEqual((await consumer.committed([{ topic: 't', partition: 1 }])).map((o) => o.offset), [10]);
  const memberId = consumer.memberId;
  await consumer.close();
  assert.ok(gc.log.includes(`leave ${memberId}`));
  assert.equal(gc.group('g').state, 'Empty');
}));

test('three members split six partitions two each; when one closes the others take over its partitions', () => withGroupCluster(async (c) => {
  c.createTopic('t', 6);
  const consumers = [member(c), member(c), member(c)];
  for (const m of consumers) { await m.connect(); m.subscribe(['t']); }
  await pollAll(consumers, () => stableWith(consumers, 6) && consumers.every((m) => m.assignment().length === 2));
  await consumers[2]!.close();
  const rest = consumers.slice(0, 2);
  await pollAll(rest, () => stableWith(rest, 6) && rest.every((m) => m.assignment().length === 3));
  for (const m of rest) await m.close();
}));

test('eager: a REBALANCE_IN_PROGRESS heartbeat makes poll commit, revoke everything, rejoin and reassign', () => withGroupCluster(async (c, gc) => {
  c.createTopic('t', 2);
  await fill(c, 't', 2, 5);
  const events: string[] = [];
  const consumer = member(c, { assignors: ['roundrobin'] });
  await consumer.connect();
  consumer.subscribe(['t'], {
    onPartitionsAssigned: async (ps) => { events.push(`assigned ${names(ps).join(',')}`); },
    onPartitionsRevoked: async (ps) => { events.push(`revoked ${names(ps).join(',')}`); },
  });
  const records: ConsumerRecord[] = [];
  await pollAll([consumer], () => records.length >= 10, records);
  const generation = consumer.generationId;
  let inject = true;
  gc.heartbeatError = () => (inject ? (inject = false, 27) : 0);
  gc.group('g').state = 'PreparingRebalance'; // the coordinator is rebalancing: the member must rejoin
  await pollAll([consumer], () => consumer.generationId > generation);
  assert.deepEqual(events, ['assigned t-0,t-1', 'revoked t-0,t-1', 'assigned t-0,t-1']);
  assert.ok(gc.log.some((l) => l.endsWith(' 0') && l.startsWith('commit')), 'committed before revoking');
  assert.deepEqual((await consumer.committed([{ topic: 't', partition: 0 }])).map((o) => o.offset), [5]);
  await consumer.close();
}));

test('UNKNOWN_MEMBER_ID from a heartbeat loses the partitions (no commit) and rejoins with a new member id', () => withGroupCluster(async (c, gc) => {
  c.createTopic('t', 1);
  const events: string[] = [];
  const consumer = member(c, { assignors: ['cooperative-sticky'] });
  await consumer.connect();
  consumer.subscribe(['t'], {
    onPartitionsAssigned: (ps) => { events.push(`assigned ${names(ps).join(',')}`); },
    onPartitionsLost: (ps) => { events.push(`lost ${names(ps).join(',')}`); },
  });
  await pollAll([consumer], () => consumer.assignment().length === 1);
  const oldId = consumer.memberId;
  gc.group('g').members.delete(oldId); // the coordinator expired the member
  await pollAll([consumer], () => consumer.memberId !== oldId && consumer.memberId !== '' && consumer.assignment().length === 1);
  assert.deepEqual(events, ['assigned t-0', 'lost t-0', 'assigned t-0']);
  await consumer.close();
}));

test('a restarted member resumes from the committed offset', () => withGroupCluster(async (c) => {
  c.createTopic('t', 1);
  await fill(c, 't', 1, 20);
  const first = member(c, { enableAutoCommit: false });
  await first.connect();
  first.subscribe(['t']);
  const seen: ConsumerRecord[] = [];
  await pollAll([first], () => seen.length >= 20, seen);
  await first.commit([{ topic: 't', partition: 0, offset: 12 }]);
  await first.close();
  const second = member(c);
  await second.connect();
  second.subscribe(['t']);
  const again: ConsumerRecord[] = [];
  await pollAll([second], () => again.length >= 8, again);
  assert.equal(again[0]!.offset, 12);
  await second.close();
}));

test('cooperative-sticky: a fourth member joining moves only the partitions it gets, never owned twice', () => withGroupCluster(async (c) => {
  c.createTopic('t', 6);
  const revoked: string[] = [];
  const make = (): GroupConsumer => member(c, { assignors: ['cooperative-sticky'] });
  const consumers = [make(), make(), make()];
  for (const m of consumers) {
    await m.connect();
    m.subscribe(['t'], { onPartitionsRevoked: (ps) => { revoked.push(...names(ps)); } });
  }
  let doubleOwned = false;
  const check = (list: GroupConsumer[]): boolean => {
    const all = list.flatMap((m) => names(m.assignment()));
    if (new Set(all).size !== all.length) doubleOwned = true;
    return stableWith(list, 6);
  };
  await pollAll(consumers, () => check(consumers) && consumers.every((m) => m.assignment().length === 2));
  assert.equal(consumers[0]!.rebalanceProtocol, 'cooperative');
  const before = new Map(consumers.map((m) => [m, names(m.assignment())]));
  revoked.length = 0;
  const fourth = make();
  await fourth.connect();
  fourth.subscribe(['t']);
  const all = [...consumers, fourth];
  await pollAll(all, () => check(all) && fourth.assignment().length >= 1 && all.every((m) => m.assignment().length >= 1));
  assert.equal(doubleOwned, false);
  assert.deepEqual([...revoked].sort(), names(fourth.assignment()).sort(), 'only what the new member got was revoked');
  for (const m of consumers) for (const p of names(m.assignment())) assert.ok(before.get(m)!.includes(p), 'old members gained nothing');
  for (const m of all) await m.close();
}));

test('works with old group API versions (FindCoordinator 2, JoinGroup 3, OffsetFetch 5, LeaveGroup 2)', () => withGroupCluster(async (c, gc) => {
  c.createTopic('t', 2);
  await fill(c, 't', 2, 3);
  const consumer = member(c);
  await consumer.connect();
  consumer.subscribe(/^t$/);
  const records: ConsumerRecord[] = [];
  await pollAll([consumer], () => records.length >= 6, records);
  await consumer.commit();
  assert.deepEqual((await consumer.committed([{ topic: 't', partition: 0 }])).map((o) => o.offset), [3]);
  await consumer.close();
  assert.ok(!gc.log.some((l) => l.includes('MEMBER_ID_REQUIRED')));
  assert.equal(gc.group('g').members.size, 0);
}, { 10: 2, 11: 3, 9: 5, 13: 2 }));

test('a coordinator that is not available yet is looked up again', () => withGroupCluster(async (c, gc) => {
  c.createTopic('t', 1);
  let failures = 2;
  gc.findCoordinatorError = () => (failures-- > 0 ? 15 : 0);
  const consumer = member(c);
  await consumer.connect();
  consumer.subscribe(['t']);
  await pollAll([consumer], () => consumer.assignment().length === 1);
  assert.ok(failures < 0);
  await consumer.close();
}));

test('static members send their instance id and do not leave on close', () => withGroupCluster(async (c, gc) => {
  c.createTopic('t', 1);
  const consumer = member(c, { groupInstanceId: 'instance-1' });
  await consumer.connect();
  consumer.subscribe(['t']);
  await pollAll([consumer], () => consumer.assignment().length === 1);
  assert.equal([...gc.group('g').members.values()][0]!.instanceId, 'instance-1');
  await consumer.close();
  assert.equal(gc.group('g').members.size, 1);
}));
