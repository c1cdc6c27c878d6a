import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withBroker } from '../test-client.ts';

test('create, add partitions and delete a topic; logs follow the metadata store', () => withBroker({}, async ({ broker, dir }) => {
  const { topics, replicas, store } = broker.context;
  const created = await topics.createTopic({ name: 'orders', numPartitions: 2, configs: { 'retention.ms': '1000' } });
  assert.ok(created.ok);
  assert.ok(existsSync(join(dir, 'orders-1')));
  assert.equal(replicas.topicConfig('orders')!.int('retention.ms'), 1000);
  const bad = await topics.createTopic({ name: 'x', configs: { 'retention.ms': 'soon' } });
  assert.ok(!bad.ok && bad.errorCode === 40 && bad.message.includes('retention.ms'));
  const rf = await topics.createTopic({ name: 'y', replicationFactor: 3 });
  assert.ok(!rf.ok && rf.errorCode === 38);
  const grown = await topics.createPartitions('orders', 4);
  assert.ok(grown.ok);
  assert.ok(replicas.partition('orders', 3) !== undefined);
  const shrink = await topics.createPartitions('orders', 2);
  assert.ok(!shrink.ok && shrink.errorCode === 37);
  const deleted = await topics.deleteTopic('orders');
  assert.ok(deleted.ok);
  assert.equal(store.topic('orders'), undefined);
  assert.equal(replicas.partition('orders', 0), undefined);
  assert.ok(!existsSync(join(dir, 'orders-0')));
  const missing = await topics.deleteTopic('orders');
  assert.ok(!missing.ok && missing.errorCode === 3);
}));
