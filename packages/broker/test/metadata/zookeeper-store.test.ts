/**
 * ZooKeeperMetadataStore against a real ZooKeeper 3.8 on loopback (one server for the file, a
 * fresh chroot per test so tests do not see each other's nodes).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type zookeeper from 'node-zookeeper-client';
import { MetadataError, ZooKeeperMetadataStore, type MetadataEvent } from '../../src/metadata/index.ts';
import { ZooKeeperProxy, ZooKeeperServer, rawClient, readJson } from '../../../../tests/helpers/zookeeper.ts';
import { waitFor } from '../../../../tests/helpers/broker-process.ts';

let zk: ZooKeeperServer;
let chrootSeq = 0;
const stores: ZooKeeperMetadataStore[] = [];
const raws: zookeeper.Client[] = [];

before(async () => { zk = await ZooKeeperServer.start(); });
after(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  for (const r of raws) r.close();
  await zk?.stop();
});

function nextChroot(): string {
  return `/t${++chrootSeq}`;
}

async function store(chroot: string, sessionTimeoutMs = 6000, via?: ZooKeeperProxy): Promise<{ s: ZooKeeperMetadataStore; events: MetadataEvent[] }> {
  const connect = (via ?? zk).connectString(chroot);
  const s = new ZooKeeperMetadataStore({ connect, sessionTimeoutMs, connectionTimeoutMs: 10_000 });
  stores.push(s);
  const events: MetadataEvent[] = [];
  s.subscribe((e) => events.push(e));
  await s.start();
  return { s, events };
}

async function raw(chroot: string): Promise<zookeeper.Client> {
  const c = await rawClient(zk.connectString(chroot));
  raws.push(c);
  return c;
}

const isBadVersion = (e: unknown): boolean => e instanceof MetadataError && e.code === 'BAD_VERSION';

test('writes Kafka\'s ZooKeeper layout under the chroot', async () => {
  const root = nextChroot();
  const { s } = await store(root);
  await s.registerBroker({ id: 1, host: 'h1', port: 9001, rack: 'r1' });
  const t = await s.createTopic('orders', [[1], [1]], { 'retention.ms': '1000' });
  const c = await raw(root);
  assert.deepEqual((await readJson(c, '/cluster/id'))?.data, { version: '1', id: s.clusterId() });
  const broker = (await readJson(c, '/brokers/ids/1'))?.data as Record<string, unknown>;
  assert.equal(broker.host, 'h1');
  assert.equal(broker.port, 9001);
  assert.equal(broker.rack, 'r1');
  assert.equal(broker.version, 5);
  assert.deepEqual(broker.endpoints, ['PLAINTEXT://h1:9001']);
  const topic = (await readJson(c, '/brokers/topics/orders'))?.data as Record<string, unknown>;
  assert.equal(topic.version, 3);
  assert.equal(topic.topic_id, t.topicId);
  assert.deepEqual(topic.partitions, { 0: [1], 1: [1] });
  assert.deepEqual((await readJson(c, '/brokers/topics/orders/partitions/1/state'))?.data,
    { controller_epoch: 0, leader: 1, version: 1, leader_epoch: 0, isr: [1] });
  assert.deepEqual((await readJson(c, '/config/topics/orders'))?.data, { version: 1, config: { 'retention.ms': '1000' } });
  assert.deepEqual(s.partitionState('orders', 0), { leader: 1, leaderEpoch: 0, isr: [1], version: 0, controllerEpoch: 0 });
});

test('partition state is compare-and-set: a stale version gets BAD_VERSION and the loser\'s view catches up', async () => {
  const root = nextChroot();
  const { s: a } = await store(root);
  const { s: b } = await store(root);
  await a.createTopic('t', [[1, 2]], {});
  await waitFor('b sees t', () => b.partitionState('t', 0) !== undefined);
  const won = await a.updatePartitionState('t', 0, { leader: 2, leaderEpoch: 1, isr: [2] }, 0);
  assert.equal(won.version, 1);
  await assert.rejects(b.updatePartitionState('t', 0, { leader: 1, leaderEpoch: 1, isr: [1] }, 0), isBadVersion);
  assert.equal(b.partitionState('t', 0)?.version, 1, 'BAD_VERSION refreshed the view before rejecting');
  assert.equal(b.partitionState('t', 0)?.leader, 2);
  await assert.rejects(a.updatePartitionState('t', 0, { leader: 2, leaderEpoch: 0, isr: [2] }, 1), isBadVersion, 'epoch cannot go back');
  await assert.rejects(a.setTopicConfig('t', { 'retention.ms': '1' }, 5), isBadVersion);
});

test('watches deliver another broker\'s changes as events', async () => {
  const root = nextChroot();
  const { s: a } = await store(root);
  const { s: b, events } = await store(root);
  await a.registerBroker({ id: 7, host: 'h', port: 1, rack: null });
  const t = await a.createTopic('w', [[7]], {});
  await a.updatePartitionState('w', 0, { leader: 7, leaderEpoch: 1, isr: [7] }, 0);
  await a.setTopicConfig('w', { 'cleanup.policy': 'compact' });
  await a.addPartitions('w', [[7]]);
  await a.setBrokerConfigOverrides(null, { 'log.retention.ms': '5' });
  await waitFor('b saw everything', () => events.some((e) => e.type === 'broker-config')
    && events.some((e) => e.type === 'partitions-added') && events.some((e) => e.type === 'topic-config')
    && events.some((e) => e.type === 'partition-state'));
  assert.deepEqual(b.brokers(), [{ id: 7, host: 'h', port: 1, rack: null }]);
  assert.equal(b.topic('w')?.topicId, t.topicId);
  assert.equal(b.topic('w')?.assignments.length, 2);
  assert.equal(b.partitionState('w', 0)?.leaderEpoch, 1);
  assert.deepEqual(b.topicConfig('w')?.configs, { 'cleanup.policy': 'compact' });
  assert.deepEqual(b.brokerConfigOverrides(null), { 'log.retention.ms': '5' });
  const created = events.findIndex((e) => e.type === 'topic-created');
  assert.ok(created >= 0 && created < events.findIndex((e) => e.type === 'partitions-added'), 'events in order');
  await a.deleteTopic('w');
  await waitFor('b saw the deletion', () => b.topic('w') === undefined && events.some((e) => e.type === 'topic-deleted'));
  await assert.rejects(a.deleteTopic('w'), (e: unknown) => e instanceof MetadataError && e.code === 'UNKNOWN_TOPIC');
  await a.createTopic('w', [[7]], {});
  await waitFor('b sees the re-created topic', () => b.topic('w') !== undefined && b.topic('w')!.topicId !== t.topicId);
  await assert.rejects(b.createTopic('w', [[7]], {}), (e: unknown) => e instanceof MetadataError && e.code === 'TOPIC_EXISTS');
});

test('a broker\'s ephemeral node disappears when its store closes', async () => {
  const root = nextChroot();
  const { s: a } = await store(root);
  const { s: b, events } = await store(root);
  await a.registerBroker({ id: 1, host: 'h', port: 1, rack: null });
  await waitFor('b sees broker 1', () => b.brokers().length === 1);
  await a.close();
  await waitFor('b sees broker 1 leave', () => b.brokers().length === 0);
  assert.ok(events.some((e) => e.type === 'broker-unregistered' && e.brokerId === 1));
});

test('session expiry: session-lost, the node goes, then the store re-registers and session-restored', async (t) => {
  const root = nextChroot();
  const proxy = await ZooKeeperProxy.start(zk);
  t.after(() => proxy.stop());
  const { s: a, events: aEvents } = await store(root, 2000, proxy);
  const { s: b, events: bEvents } = await store(root);
  await a.registerBroker({ id: 3, host: 'h', port: 3, rack: 'x' });
  await a.electController(3);
  assert.equal(a.controllerId(), 3);
  await waitFor('b sees broker 3 and its controllership', () => b.brokers().length === 1 && b.controllerId() === 3);
  proxy.cut();
  await waitFor('b sees broker 3 leave (the server expired a\'s session)',
    () => bEvents.some((e) => e.type === 'broker-unregistered' && e.brokerId === 3), 15_000);
  assert.equal(aEvents.some((e) => e.type === 'session-restored'), false);
  proxy.restore();
  await waitFor('a reports the lost session', () => aEvents.some((e) => e.type === 'session-lost'), 15_000);
  await waitFor('a restored its session', () => aEvents.some((e) => e.type === 'session-restored'), 15_000);
  await waitFor('b sees broker 3 again', () => b.brokers().some((x) => x.id === 3 && x.rack === 'x'), 15_000);
  await waitFor('broker 3 is controller again, with a new epoch', () => b.controllerId() === 3 && b.controllerEpoch() === 2, 15_000);
});

test('controller election: one winner, epoch bumped, re-election when the controller\'s session ends', async () => {
  const root = nextChroot();
  const { s: a } = await store(root);
  const { s: b, events: bEvents } = await store(root);
  await a.electController(1);
  await b.electController(2);
  assert.equal(a.controllerId(), 1);
  assert.equal(b.controllerId(), 1);
  assert.equal(b.controllerEpoch(), 1);
  const c = await raw(root);
  assert.equal(((await readJson(c, '/controller'))?.data as { brokerid: number }).brokerid, 1);
  assert.equal((await readJson(c, '/controller_epoch'))?.data, 1);
  await a.close();
  await waitFor('b takes over', () => b.controllerId() === 2, 10_000);
  assert.equal(b.controllerEpoch(), 2);
  assert.ok(bEvents.some((e) => e.type === 'controller-changed' && e.controllerId === 2 && e.epoch === 2));
  // The new controller's state writes carry its epoch.
  await b.createTopic('e', [[2]], {});
  const st = await b.updatePartitionState('e', 0, { leader: 2, leaderEpoch: 1, isr: [2] }, 0);
  assert.equal(st.controllerEpoch, 2);
  assert.equal(((await readJson(c, '/brokers/topics/e/partitions/0/state'))?.data as { controller_epoch: number }).controller_epoch, 2);
});

test('topic and broker configs round-trip through ZooKeeper', async () => {
  const root = nextChroot();
  const { s: a } = await store(root);
  await a.createTopic('c', [[0]], { 'retention.ms': '10' });
  const v1 = await a.setTopicConfig('c', { 'retention.ms': '20', 'cleanup.policy': 'compact' }, 0);
  assert.equal(v1.version, 1);
  await a.setBrokerConfigOverrides(4, { 'log.cleaner.threads': '2' });
  await a.close();
  const { s: again } = await store(root);
  assert.deepEqual(again.topicConfig('c'), { configs: { 'retention.ms': '20', 'cleanup.policy': 'compact' }, version: 1 });
  assert.deepEqual(again.brokerConfigOverrides(4), { 'log.cleaner.threads': '2' });
  assert.deepEqual(again.brokerConfigOverrides(null), {});
  const c = await raw(root);
  assert.deepEqual((await readJson(c, '/config/brokers/4'))?.data, { version: 1, config: { 'log.cleaner.threads': '2' } });
});
