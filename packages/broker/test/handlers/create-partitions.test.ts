import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CreatePartitionsApi, type CreatePartitionsRequestCreatePartitionsTopic } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker, type TestBroker } from '../test-client.ts';

async function withTopic(tb: TestBroker, numPartitions = 1): Promise<TestClient> {
  assert.ok((await tb.broker.context.topics.createTopic({ name: 't', numPartitions })).ok);
  return TestClient.connect(tb.port);
}

function grow(c: TestClient, version: number, topics: CreatePartitionsRequestCreatePartitionsTopic[], validateOnly = false) {
  return c.request(CreatePartitionsApi, version, { topics, timeoutMs: 5000, validateOnly });
}

test('CreatePartitions v0 adds partitions and opens their logs', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb);
  const res = await grow(c, 0, [{ name: 't', count: 3, assignments: null }]);
  assert.deepEqual(res.results, [{ name: 't', errorCode: 0, errorMessage: null }]);
  assert.equal(tb.broker.context.store.topic('t')!.assignments.length, 3);
  assert.ok(tb.broker.context.replicas.partition('t', 2) !== undefined);
  assert.ok(existsSync(join(tb.dir, 't-2')));
  c.close();
}));

test('CreatePartitions v3 with assignments uses them; validateOnly changes nothing', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb);
  assert.equal((await grow(c, 3, [{ name: 't', count: 4, assignments: [{ brokerIds: [0] }, { brokerIds: [0] }, { brokerIds: [0] }] }], true)).results[0]!.errorCode, 0);
  assert.equal(tb.broker.context.store.topic('t')!.assignments.length, 1);
  assert.equal((await grow(c, 3, [{ name: 't', count: 2, assignments: [{ brokerIds: [0] }] }])).results[0]!.errorCode, 0);
  assert.deepEqual(tb.broker.context.store.topic('t')!.assignments, [[0], [0]]);
  const wrong = await grow(c, 3, [{ name: 't', count: 4, assignments: [{ brokerIds: [0] }] }]);
  assert.equal(wrong.results[0]!.errorCode, 39);
  c.close();
}));

test('CreatePartitions to fewer or equal partitions gives INVALID_PARTITIONS', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb, 3);
  const res = await grow(c, 2, [{ name: 't', count: 2, assignments: null }]);
  assert.equal(res.results[0]!.errorCode, 37);
  assert.match(res.results[0]!.errorMessage!, /3 partitions/);
  assert.equal(tb.broker.context.store.topic('t')!.assignments.length, 3);
  c.close();
}));

test('CreatePartitions on an unknown topic gives UNKNOWN_TOPIC_OR_PARTITION', () => withBroker({}, async (tb) => {
  const c = await TestClient.connect(tb.port);
  assert.equal((await grow(c, 1, [{ name: 'none', count: 2, assignments: null }])).results[0]!.errorCode, 3);
  c.close();
}));
