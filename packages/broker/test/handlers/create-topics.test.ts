import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ZERO_UUID } from '@tributary/protocol';
import { CreateTopicsApi, type CreateTopicsRequestCreatableTopic } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker } from '../test-client.ts';

function topic(name: string, over: Partial<CreateTopicsRequestCreatableTopic> = {}): CreateTopicsRequestCreatableTopic {
  return { name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [], ...over };
}

function create(c: TestClient, version: number, topics: CreateTopicsRequestCreatableTopic[], validateOnly = false) {
  return c.request(CreateTopicsApi, version, { topics, timeoutMs: 5000, validateOnly });
}

test('CreateTopics v0 creates the topic and its partition logs', () => withBroker({}, async ({ port, broker, dir }) => {
  const c = await TestClient.connect(port);
  const res = await create(c, 0, [topic('a', { numPartitions: 3 })]);
  assert.deepEqual(res.topics.map((t) => [t.name, t.errorCode]), [['a', 0]]);
  assert.equal(broker.context.store.topic('a')!.assignments.length, 3);
  for (const p of [0, 1, 2]) assert.ok(existsSync(join(dir, `a-${p}`)), `a-${p} exists`);
  c.close();
}));

test('CreateTopics v7 with -1 uses broker defaults and returns id, counts and configs', () => withBroker({ 'num.partitions': '2' }, async ({ port, broker }) => {
  const c = await TestClient.connect(port);
  const res = await create(c, 7, [topic('b', { numPartitions: -1, replicationFactor: -1, configs: [{ name: 'retention.ms', value: '1000' }] })]);
  const t = res.topics[0]!;
  assert.equal(t.errorCode, 0);
  assert.equal(t.errorMessage, null);
  assert.equal(t.topicId, broker.context.store.topic('b')!.topicId);
  assert.notEqual(t.topicId, ZERO_UUID);
  assert.deepEqual([t.numPartitions, t.replicationFactor], [2, 1]);
  const retention = t.configs!.find((x) => x.name === 'retention.ms')!;
  assert.deepEqual([retention.value, retention.configSource, retention.readOnly], ['1000', 1, false]);
  assert.equal(t.configs!.find((x) => x.name === 'cleanup.policy')!.configSource, 5);
  assert.equal(broker.context.replicas.partition('b', 1)!.log.config.retentionMs, 1000);
  c.close();
}));

test('CreateTopics with explicit assignments uses them', () => withBroker({}, async ({ port, broker }) => {
  const c = await TestClient.connect(port);
  const assignments = [{ partitionIndex: 1, brokerIds: [0] }, { partitionIndex: 0, brokerIds: [0] }];
  const res = await create(c, 5, [topic('asg', { numPartitions: -1, replicationFactor: -1, assignments })]);
  assert.equal(res.topics[0]!.errorCode, 0);
  assert.deepEqual(broker.context.store.topic('asg')!.assignments, [[0], [0]]);
  const bad = await create(c, 5, [topic('asg2', { numPartitions: 1, replicationFactor: -1, assignments })]);
  assert.equal(bad.topics[0]!.errorCode, 42);
  const unknownBroker = await create(c, 5, [topic('asg3', { numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [7] }] })]);
  assert.equal(unknownBroker.topics[0]!.errorCode, 39);
  c.close();
}));

test('CreateTopics validateOnly checks but creates nothing', () => withBroker({}, async ({ port, broker }) => {
  const c = await TestClient.connect(port);
  const res = await create(c, 7, [topic('v', { numPartitions: 4 })], true);
  const t = res.topics[0]!;
  assert.deepEqual([t.errorCode, t.numPartitions, t.topicId], [0, 4, ZERO_UUID]);
  assert.equal(broker.context.store.topic('v'), undefined);
  c.close();
}));

test('CreateTopics with an illegal name gives INVALID_TOPIC_EXCEPTION', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await create(c, 4, [topic('bad/name')]);
  assert.equal(res.topics[0]!.errorCode, 17);
  assert.match(res.topics[0]!.errorMessage!, /illegal/);
  c.close();
}));

test('CreateTopics for an existing topic gives TOPIC_ALREADY_EXISTS', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  assert.equal((await create(c, 3, [topic('dup')])).topics[0]!.errorCode, 0);
  const again = await create(c, 3, [topic('dup')]);
  assert.equal(again.topics[0]!.errorCode, 36);
  assert.match(again.topics[0]!.errorMessage!, /already exists/);
  c.close();
}));

test('CreateTopics with zero partitions gives INVALID_PARTITIONS', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await create(c, 7, [topic('p0', { numPartitions: 0 })]);
  assert.deepEqual([res.topics[0]!.errorCode, res.topics[0]!.numPartitions], [37, -1]);
  c.close();
}));

test('CreateTopics with replication factor above the live brokers gives INVALID_REPLICATION_FACTOR', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await create(c, 2, [topic('rf', { replicationFactor: 3 })]);
  assert.equal(res.topics[0]!.errorCode, 38);
  assert.match(res.topics[0]!.errorMessage!, /larger than available brokers: 1/);
  c.close();
}));

test('CreateTopics with an unknown config key gives INVALID_CONFIG naming it', () => withBroker({}, async ({ port, broker }) => {
  const c = await TestClient.connect(port);
  const res = await create(c, 7, [topic('ck', { configs: [{ name: 'no.such.config', value: '1' }] })]);
  assert.equal(res.topics[0]!.errorCode, 40);
  assert.match(res.topics[0]!.errorMessage!, /no\.such\.config/);
  assert.equal(broker.context.store.topic('ck'), undefined);
  c.close();
}));

test('CreateTopics with an invalid config value gives INVALID_CONFIG naming the key', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await create(c, 1, [topic('cv', { configs: [{ name: 'cleanup.policy', value: 'shred' }] })]);
  assert.equal(res.topics[0]!.errorCode, 40);
  assert.match(res.topics[0]!.errorMessage!, /cleanup\.policy/);
  c.close();
}));

test('CreateTopics answers every copy of a duplicated name with INVALID_REQUEST', () => withBroker({}, async ({ port, broker }) => {
  const c = await TestClient.connect(port);
  const res = await create(c, 4, [topic('twice'), topic('twice'), topic('once')]);
  assert.deepEqual(res.topics.map((t) => t.errorCode), [42, 42, 0]);
  assert.equal(broker.context.store.topic('twice'), undefined);
  c.close();
}));
