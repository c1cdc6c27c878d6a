import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { encodeRecordBatch } from '@tributary/protocol';
import { DescribeLogDirsApi, ProduceApi } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker } from '../test-client.ts';

test('DescribeLogDirs v0 lists every partition of the log dir with its size', () => withBroker({}, async ({ port, broker, dir }) => {
  assert.ok((await broker.context.topics.createTopic({ name: 'a', numPartitions: 2 })).ok);
  assert.ok((await broker.context.topics.createTopic({ name: 'b' })).ok);
  const c = await TestClient.connect(port);
  const records = Buffer.from(encodeRecordBatch({ records: [{ key: null, value: Buffer.from('x'), timestamp: Date.now() }] }));
  await c.request(ProduceApi, 7, { acks: -1, timeoutMs: 5000, topicData: [{ name: 'b', partitionData: [{ index: 0, records }] }] });
  const res = await c.request(DescribeLogDirsApi, 0, { topics: null });
  assert.equal(res.results.length, 1);
  const d = res.results[0]!;
  assert.deepEqual([d.errorCode, d.logDir], [0, resolve(dir)]);
  assert.deepEqual(d.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]), [['a', [0, 1]], ['b', [0]]]);
  const b0 = d.topics[1]!.partitions[0]!;
  assert.deepEqual([b0.partitionSize, b0.offsetLag, b0.isFutureKey], [records.length, 0, false]);
  c.close();
}));

test('DescribeLogDirs v4 filters by topic partitions and reports volume sizes', () => withBroker({}, async ({ port, broker }) => {
  assert.ok((await broker.context.topics.createTopic({ name: 'a', numPartitions: 2 })).ok);
  const c = await TestClient.connect(port);
  const res = await c.request(DescribeLogDirsApi, 4, { topics: [{ topic: 'a', partitions: [1] }, { topic: 'zz', partitions: [0] }] });
  assert.equal(res.errorCode, 0);
  const d = res.results[0]!;
  assert.deepEqual(d.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]), [['a', [1]]]);
  assert.ok(d.totalBytes! > 0 && d.usableBytes! >= 0);
  c.close();
}));
