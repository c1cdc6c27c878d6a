import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ZERO_UUID } from '@tributary/protocol';
import { DeleteTopicsApi } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker } from '../test-client.ts';

test('DeleteTopics v0 deletes by name and removes the partition logs from disk', () => withBroker({}, async ({ port, broker, dir }) => {
  assert.ok((await broker.context.topics.createTopic({ name: 'gone', numPartitions: 2 })).ok);
  assert.ok(existsSync(join(dir, 'gone-1')));
  const c = await TestClient.connect(port);
  const res = await c.request(DeleteTopicsApi, 0, { topicNames: ['gone'], timeoutMs: 5000 });
  assert.deepEqual(res.responses.map((r) => [r.name, r.errorCode]), [['gone', 0]]);
  assert.equal(broker.context.store.topic('gone'), undefined);
  assert.equal(broker.context.replicas.partition('gone', 0), undefined);
  assert.ok(!existsSync(join(dir, 'gone-0')) && !existsSync(join(dir, 'gone-1')), 'partition dirs removed');
  c.close();
}));

test('DeleteTopics v6 deletes by topic id and answers name and id', () => withBroker({}, async ({ port, broker }) => {
  const created = await broker.context.topics.createTopic({ name: 'byid' });
  assert.ok(created.ok);
  const topicId = created.topic.topicId;
  const c = await TestClient.connect(port);
  const res = await c.request(DeleteTopicsApi, 6, { topics: [{ name: null, topicId }], timeoutMs: 5000 });
  assert.deepEqual(res.responses.map((r) => [r.name, r.topicId, r.errorCode, r.errorMessage]), [['byid', topicId, 0, null]]);
  assert.equal(broker.context.store.topicById(topicId), undefined);
  c.close();
}));

test('DeleteTopics of an unknown name gives UNKNOWN_TOPIC_OR_PARTITION', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(DeleteTopicsApi, 5, { topicNames: ['nope'], timeoutMs: 5000 });
  assert.equal(res.responses[0]!.errorCode, 3);
  const v6 = await c.request(DeleteTopicsApi, 6, { topics: [{ name: 'nope', topicId: ZERO_UUID }], timeoutMs: 5000 });
  assert.equal(v6.responses[0]!.errorCode, 3);
  c.close();
}));

test('DeleteTopics v6 of an unknown topic id gives UNKNOWN_TOPIC_ID', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(DeleteTopicsApi, 6, { topics: [{ name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAg' }], timeoutMs: 5000 });
  assert.equal(res.responses[0]!.errorCode, 100);
  c.close();
}));

test('delete.topic.enable=false gives TOPIC_DELETION_DISABLED and keeps the topic', () => withBroker({ 'delete.topic.enable': 'false' }, async ({ port, broker }) => {
  assert.ok((await broker.context.topics.createTopic({ name: 'kept' })).ok);
  const c = await TestClient.connect(port);
  const res = await c.request(DeleteTopicsApi, 4, { topicNames: ['kept'], timeoutMs: 5000 });
  assert.equal(res.responses[0]!.errorCode, 73);
  assert.ok(broker.context.store.topic('kept') !== undefined);
  c.close();
}));

test('DeleteTopics refuses internal topics', () => withBroker({}, async ({ port, broker }) => {
  assert.ok((await broker.context.topics.createTopic({ name: '__consumer_offsets' })).ok);
  const c = await TestClient.connect(port);
  const res = await c.request(DeleteTopicsApi, 3, { topicNames: ['__consumer_offsets'], timeoutMs: 5000 });
  assert.equal(res.responses[0]!.errorCode, 17);
  assert.ok(broker.context.store.topic('__consumer_offsets') !== undefined);
  c.close();
}));
