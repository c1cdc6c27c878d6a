import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetadataApi } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker } from '../test-client.ts';

test('Metadata v0 with an empty list returns all topics; v1 names this broker controller', () => withBroker({}, async ({ port, broker }) => {
  await broker.context.topics.createTopic({ name: 'a', numPartitions: 2 });
  const c = await TestClient.connect(port);
  const v0 = await c.request(MetadataApi, 0, { topics: [] });
  assert.deepEqual(v0.brokers.map((b) => [b.nodeId, b.host, b.port]), [[0, '127.0.0.1', port]]);
  assert.deepEqual(v0.topics.map((t) => [t.name, t.partitions.length]), [['a', 2]]);
  const v1 = await c.request(MetadataApi, 1, { topics: null });
  assert.equal(v1.controllerId, 0);
  assert.equal(v1.topics[0]!.partitions[1]!.leaderId, 0);
  c.close();
}));

test('Metadata v12 reports cluster id, topic ids and leader epochs, and auto-creates', () => withBroker({}, async ({ port, broker }) => {
  const c = await TestClient.connect(port);
  const first = await c.request(MetadataApi, 12, { topics: [{ name: 'auto' }], allowAutoTopicCreation: true });
  assert.equal(first.clusterId, broker.context.store.clusterId());
  assert.equal(first.topics[0]!.errorCode, 5); // LEADER_NOT_AVAILABLE right after creation
  const again = await c.request(MetadataApi, 12, { topics: [{ name: 'auto' }], allowAutoTopicCreation: true });
  const t = again.topics[0]!;
  assert.equal(t.errorCode, 0);
  assert.equal(t.topicId, broker.context.store.topic('auto')!.topicId);
  assert.notEqual(t.topicId, 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.deepEqual(t.partitions.map((p) => [p.partitionIndex, p.leaderId, p.leaderEpoch, p.replicaNodes, p.isrNodes]), [[0, 0, 0, [0], [0]]]);
  c.close();
}));

test('Metadata does not auto-create when the request forbids it', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(MetadataApi, 12, { topics: [{ name: 'nope' }], allowAutoTopicCreation: false });
  assert.equal(res.topics[0]!.errorCode, 3);
  c.close();
}));

test('auto.create.topics.enable=false gives UNKNOWN_TOPIC_OR_PARTITION', () => withBroker({ 'auto.create.topics.enable': 'false' }, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(MetadataApi, 4, { topics: [{ name: 'x' }], allowAutoTopicCreation: true });
  assert.equal(res.topics[0]!.errorCode, 3);
  c.close();
}));

test('an invalid topic name gives INVALID_TOPIC_EXCEPTION', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(MetadataApi, 9, { topics: [{ name: 'bad/name' }], allowAutoTopicCreation: true });
  assert.equal(res.topics[0]!.errorCode, 17);
  c.close();
}));
