// Integration: GroupConsumer and Admin group methods against the real Tributary broker (in-process,
// ephemeral port, temp log dir). Skipped until the broker's ApiVersions lists JoinGroup.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '../../src/admin/admin.ts';
import { GroupConsumer, type GroupConsumerOptions } from '../../src/consumer/group-consumer.ts';
import type { ConsumerRecord } from '../../src/consumer/record-decoder.ts';
import type { TopicPartition } from '../../src/consumer/assignors/types.ts';
import { Producer } from '../../src/producer/producer.ts';
import { Connection } from '../../src/network/connection.ts';

type StartBroker = (props: Record<string, string>) => Promise<{ listeners: Array<{ host: string; port: number }>; close(): Promise<void> | void }>;

let startBroker: StartBroker | null = null;
try {
  startBroker = ((await import('@tributary/broker' as string)) as { startBroker?: StartBroker }).startBroker ?? null;
} catch {
  startBroker = null;
}

let dir = '';
let broker: Awaited<ReturnType<StartBroker>> | null = null;
let bootstrap = '';
let skipReason: string | false = startBroker === null ? 'broker not available (@tributary/broker startBroker)' : false;
const JOIN_GROUP_KEY = 11;

// Started at load time: whether to skip is only known once the broker answers ApiVersions.
await (async () => {
  if (startBroker === null) return;
  dir = mkdtempSync(join(tmpdir(), 'tributary-group-it-'));
  const props = { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'broker.id': '1', 'num.partitions': '1', 'offsets.topic.replication.factor': '1' };
  try {
    broker = await startBroker({ ...props, 'group.initial.rebalance.delay.ms': '0' });
  } catch {
    broker = await startBroker(props);
  }
  bootstrap = `${broker.listeners[0]!.host}:${broker.listeners[0]!.port}`;
  const conn = new Connection({ host: broker.listeners[0]!.host, port: broker.listeners[0]!.port });
  await conn.connect();
  if (conn.brokerRange(JOIN_GROUP_KEY) === undefined) skipReason = 'broker does not serve JoinGroup yet';
  conn.close();
})();

after(async () => {
  await broker?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function member(groupId: string, extra: Partial<GroupConsumerOptions> = {}): GroupConsumer {
  return new GroupConsumer({
    bootstrapServers: bootstrap, groupId, maxWaitMs: 50, heartbeatIntervalMs: 100, sessionTimeoutMs: 6000,
    rebalanceTimeoutMs: 10_000, autoOffsetReset: 'earliest', ...extra,
  });
}

async function setup(topic: string, partitions: number, perPartition: number): Promise<void> {
  const admin = new Admin({ bootstrapServers: bootstrap });
  await admin.connect();
  await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
  await admin.close();
  const p = new Producer({ bootstrapServers: bootstrap, lingerMs: 1 });
  await p.connect();
  for (let part = 0; part < partitions; part++) {
    await p.send({ topic, messages: Array.from({ length: perPartition }, (_, i) => ({ value: `${part}-${i}`, partition: part })) });
  }
  await p.close();
}

async function pollAll(consumers: GroupConsumer[], done: () => boolean, sink: ConsumerRecord[] = [], deadlineMs = 30_000): Promise<void> {
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
function stable(consumers: GroupConsumer[], total: number, owners: Map<string, string>): boolean {
  const all = consumers.flatMap((c) => names(c.assignment()));
  for (const c of consumers) for (const p of names(c.assignment())) {
    const prev = owners.get(p);
    // Tracks the owner at each observation; two members holding p at once is a violation.
    const holders = consumers.filter((x) => names(x.assignment()).includes(p));
    assert.ok(holders.length <= 1 || prev === undefined, `${p} owned by ${holders.length} members`);
    owners.set(p, c.memberId);
  }
  return all.length === total && new Set(all).size === total && new Set(consumers.map((c) => c.generationId)).size === 1;
}

test('three members share six partitions, take over from a closed one, and consume everything at least once', { skip: skipReason }, async () => {
  await setup('g6', 6, 50);
  const consumers = [member('it-range'), member('it-range'), member('it-range')];
  const records: ConsumerRecord[] = [];
  const owners = new Map<string, string>();
  try {
    for (const c of consumers) { await c.connect(); c.subscribe(['g6']); }
    await pollAll(consumers, () => stable(consumers, 6, owners) && consumers.every((c) => c.assignment().length === 2), records);
    const rest = consumers.slice(0, 2);
    await consumers[2]!.close();
    await pollAll(rest, () => stable(rest, 6, owners) && rest.every((c) => c.assignment().length === 3), records);
    await pollAll(rest, () => new Set(records.map((r) => `${r.partition}:${r.offset}`)).size === 300, records);
  } finally {
    for (const c of consumers) await c.close();
  }
});

test('a restarted member resumes from the committed offset', { skip: skipReason }, async () => {
  await setup('resume', 1, 30);
  const first = member('it-resume', { enableAutoCommit: false });
  const seen: ConsumerRecord[] = [];
  try {
    await first.connect();
    first.subscribe(['resume']);
    await pollAll([first], () => seen.length >= 30, seen);
    await first.commit([{ topic: 'resume', partition: 0, offset: 17 }]);
  } finally {
    await first.close();
  }
  const second = member('it-resume');
  const again: ConsumerRecord[] = [];
  try {
    await second.connect();
    second.subscribe(['resume']);
    await pollAll([second], () => again.length >= 13, again);
    assert.equal(again[0]!.offset, 17);
  } finally {
    await second.close();
  }
});

test('cooperative-sticky: a fourth member joining moves only the partitions it gets', { skip: skipReason }, async () => {
  await setup('coop', 6, 10);
  const revoked: string[] = [];
  const make = (): GroupConsumer => member('it-coop', { assignors: ['cooperative-sticky'] });
  const consumers = [make(), make(), make()];
  const owners = new Map<string, string>();
  const fourth = make();
  try {
    for (const c of consumers) { await c.connect(); c.subscribe(['coop'], { onPartitionsRevoked: (ps) => { revoked.push(...names(ps)); } }); }
    await pollAll(consumers, () => stable(consumers, 6, owners) && consumers.every((c) => c.assignment().length === 2));
    const before = new Map(consumers.map((c) => [c, names(c.assignment())]));
    revoked.length = 0;
    await fourth.connect();
    fourth.subscribe(['coop']);
    const all = [...consumers, fourth];
    await pollAll(all, () => stable(all, 6, owners) && all.every((c) => c.assignment().length >= 1));
    assert.deepEqual([...revoked].sort(), names(fourth.assignment()).sort());
    for (const c of consumers) for (const p of names(c.assignment())) assert.ok(before.get(c)!.includes(p));
  } finally {
    for (const c of [...consumers, fourth]) await c.close();
  }
});

test('admin: list, describe, offsets, alter, delete on the real coordinator', { skip: skipReason }, async () => {
  await setup('adm', 2, 5);
  const admin = new Admin({ bootstrapServers: bootstrap });
  const consumer = member('it-admin', { clientId: 'it-client' });
  try {
    await admin.connect();
    await consumer.connect();
    consumer.subscribe(['adm']);
    const records: ConsumerRecord[] = [];
    await pollAll([consumer], () => records.length >= 10, records);
    await consumer.commit();
    assert.ok((await admin.listGroups()).some((g) => g.groupId === 'it-admin'));
    const [d] = await admin.describeGroups(['it-admin']);
    assert.equal(d!.state, 'Stable');
    assert.deepEqual(d!.members.map((m) => m.assignment?.length), [2]);
    assert.deepEqual((await admin.listConsumerGroupOffsets('it-admin')).map((o) => o.offset), [5, 5]);
    await consumer.close();
    await admin.alterConsumerGroupOffsets('it-admin', [{ topic: 'adm', partition: 0, offset: 1 }]);
    assert.deepEqual((await admin.listConsumerGroupOffsets('it-admin')).map((o) => o.offset), [1, 5]);
    await admin.deleteConsumerGroupOffsets('it-admin', [{ topic: 'adm', partition: 1 }]);
    assert.deepEqual((await admin.listConsumerGroupOffsets('it-admin')).map((o) => o.partition), [0]);
    await admin.deleteGroups(['it-admin']);
    assert.ok(!(await admin.listGroups()).some((g) => g.groupId === 'it-admin'));
  } finally {
    await consumer.close();
    await admin.close();
  }
});
