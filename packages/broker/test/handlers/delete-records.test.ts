import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRecordBatch } from '@tributary/protocol';
import { DeleteRecordsApi, ListOffsetsApi, ProduceApi } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker, type TestBroker } from '../test-client.ts';

/** Creates topic `t` (one partition, given configs) and produces `count` records into it. */
async function setup(tb: TestBroker, count: number, configs: Record<string, string> = {}): Promise<TestClient> {
  assert.ok((await tb.broker.context.topics.createTopic({ name: 't', numPartitions: 1, configs })).ok);
  const c = await TestClient.connect(tb.port);
  const values = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp: Date.now() }));
  const records = Buffer.from(encodeRecordBatch({ records: values }));
  const res = await c.request(ProduceApi, 7, { acks: -1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] });
  assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, 0);
  return c;
}

function deleteBefore(c: TestClient, version: number, offset: number, partitionIndex = 0) {
  return c.request(DeleteRecordsApi, version, { topics: [{ name: 't', partitions: [{ partitionIndex, offset }] }], timeoutMs: 5000 });
}

test('DeleteRecords v0 moves the log start; ListOffsets earliest returns it', () => withBroker({}, async (tb) => {
  const c = await setup(tb, 5);
  const res = await deleteBefore(c, 0, 3);
  assert.deepEqual(res.topics[0]!.partitions[0], { partitionIndex: 0, lowWatermark: 3, errorCode: 0 });
  const lo = await c.request(ListOffsetsApi, 1, { replicaId: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -2 }] }] });
  assert.equal(lo.topics[0]!.partitions[0]!.offset, 3);
  c.close();
}));

test('DeleteRecords v2 with offset -1 deletes up to the high watermark', () => withBroker({}, async (tb) => {
  const c = await setup(tb, 4);
  const res = await deleteBefore(c, 2, -1);
  assert.deepEqual(res.topics[0]!.partitions[0], { partitionIndex: 0, lowWatermark: 4, errorCode: 0 });
  assert.equal(tb.broker.context.replicas.partition('t', 0)!.logStartOffset, 4);
  const again = await deleteBefore(c, 2, 2);
  assert.deepEqual([again.topics[0]!.partitions[0]!.errorCode, again.topics[0]!.partitions[0]!.lowWatermark], [0, 4]);
  c.close();
}));

test('DeleteRecords beyond the high watermark gives OFFSET_OUT_OF_RANGE', () => withBroker({}, async (tb) => {
  const c = await setup(tb, 2);
  const res = await deleteBefore(c, 1, 3);
  assert.deepEqual(res.topics[0]!.partitions[0], { partitionIndex: 0, lowWatermark: -1, errorCode: 1 });
  assert.equal(tb.broker.context.replicas.partition('t', 0)!.logStartOffset, 0);
  c.close();
}));

test('DeleteRecords on an unknown partition gives UNKNOWN_TOPIC_OR_PARTITION', () => withBroker({}, async (tb) => {
  const c = await setup(tb, 1);
  const res = await deleteBefore(c, 1, 0, 5);
  assert.equal(res.topics[0]!.partitions[0]!.errorCode, 3);
  c.close();
}));

test('DeleteRecords on a compact-only topic gives POLICY_VIOLATION', () => withBroker({}, async (tb) => {
  assert.ok((await tb.broker.context.topics.createTopic({ name: 't', configs: { 'cleanup.policy': 'compact' } })).ok);
  const c = await TestClient.connect(tb.port);
  const res = await deleteBefore(c, 2, 0);
  assert.equal(res.topics[0]!.partitions[0]!.errorCode, 44);
  c.close();
}));
