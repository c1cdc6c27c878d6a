import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRecordBatch, decodeRecordBatches } from '@tributary/protocol';
import { FetchApi, ListOffsetsApi, ProduceApi, type FetchRequest } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker, type TestBroker } from '../test-client.ts';

function batch(values: string[], timestamp = Date.now()): Buffer {
  return encodeRecordBatch({ records: values.map((v) => ({ key: null, value: Buffer.from(v), timestamp })) });
}

function produce(c: TestClient, topic: string, records: Buffer, acks = -1, version = 9) {
  return c.request(ProduceApi, version, { acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
}

function fetchReq(topic: string, offset: number, opts: Partial<FetchRequest> = {}, partitionMaxBytes = 1 << 20): FetchRequest {
  return {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes, currentLeaderEpoch: -1, logStartOffset: -1 }] }],
    forgottenTopicsData: [], rackId: '', ...opts,
  };
}

async function setup(tb: TestBroker, topic = 't', configs: Record<string, string> = {}): Promise<TestClient> {
  const r = await tb.broker.context.topics.createTopic({ name: topic, numPartitions: 1, configs });
  assert.ok(r.ok);
  return TestClient.connect(tb.port);
}

test('produce acks=1 and acks=-1 then fetch returns identical bytes', () => withBroker({}, async (tb) => {
  const c = await setup(tb);
  const b1 = batch(['a', 'b']);
  const b2 = batch(['c']);
  const r1 = await produce(c, 't', Buffer.from(b1), 1, 7);
  assert.equal(r1.responses[0]!.partitionResponses[0]!.errorCode, 0);
  assert.equal(r1.responses[0]!.partitionResponses[0]!.baseOffset, 0);
  const r2 = await produce(c, 't', Buffer.from(b2), -1, 11);
  const p2 = r2.responses[0]!.partitionResponses[0]!;
  assert.deepEqual([p2.errorCode, p2.baseOffset, p2.logAppendTimeMs, p2.logStartOffset], [0, 2, -1, 0]);
  for (const v of [4, 11, 12]) {
    const f = await c.request(FetchApi, v, fetchReq('t', 0));
    const part = f.responses[0]!.partitions[0]!;
    assert.equal(part.errorCode, 0);
    assert.equal(part.highWatermark, 3);
    const got = part.records!;
    assert.deepEqual(decodeRecordBatches(got).map((b) => [b.baseOffset, b.records.map((r) => r.value!.toString())]), [[0, ['a', 'b']], [2, ['c']]]);
    assert.deepEqual(got.subarray(61, b1.length), b1.subarray(61)); // record bytes untouched (header gets offset + epoch)
  }
  c.close();
}));

test('Fetch v13+ finds topics by id', () => withBroker({}, async (tb) => {
  const c = await setup(tb);
  await produce(c, 't', batch(['x']));
  const topicId = tb.broker.context.store.topic('t')!.topicId;
  const req = fetchReq('t', 0);
  req.topics[0]!.topicId = topicId;
  const f = await c.request(FetchApi, 17, req);
  assert.equal(f.responses[0]!.topicId, topicId);
  assert.equal(f.responses[0]!.partitions[0]!.highWatermark, 1);
  req.topics[0]!.topicId = 'AAAAAAAAAAAAAAAAAAAAAQ';
  const bad = await c.request(FetchApi, 13, req);
  assert.equal(bad.responses[0]!.partitions[0]!.errorCode, 100);
  c.close();
}));

test('acks=0 gets no response, and later responses keep their order', () => withBroker({}, async (tb) => {
  const c = await setup(tb);
  c.send(ProduceApi, 7, { acks: 0, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: batch(['z']) }] }] });
  const f = await c.request(FetchApi, 11, fetchReq('t', 0));
  assert.equal(f.responses[0]!.partitions[0]!.highWatermark, 1);
  assert.equal(c.unexpected.length, 0);
  c.close();
}));

test('a long poll wakes up when data arrives', () => withBroker({}, async (tb) => {
  const c = await setup(tb);
  const c2 = await TestClient.connect(tb.port);
  const started = Date.now();
  const pending = c.request(FetchApi, 11, fetchReq('t', 0, { maxWaitMs: 20_000, minBytes: 1 }));
  await produce(c2, 't', batch(['wake']));
  const f = await pending;
  assert.ok(Date.now() - started < 10_000);
  assert.equal(decodeRecordBatches(f.responses[0]!.partitions[0]!.records!)[0]!.records[0]!.value!.toString(), 'wake');
  c.close(); c2.close();
}));

test('minBytes not reached waits for maxWaitMs and returns what there is', () => withBroker({}, async (tb) => {
  const c = await setup(tb);
  await produce(c, 't', batch(['small']));
  const started = Date.now();
  const f = await c.request(FetchApi, 11, fetchReq('t', 0, { maxWaitMs: 200, minBytes: 1 << 20 }));
  assert.ok(Date.now() - started >= 150);
  assert.equal(decodeRecordBatches(f.responses[0]!.partitions[0]!.records!).length, 1);
  c.close();
}));

test('maxBytes limits the response but the first batch is whole (KIP-74)', () => withBroker({}, async (tb) => {
  const c = await setup(tb);
  const big = 'x'.repeat(3000);
  await produce(c, 't', batch([big]));
  await produce(c, 't', batch([big]));
  const f = await c.request(FetchApi, 11, fetchReq('t', 0, { maxBytes: 100 }, 100));
  const batches = decodeRecordBatches(f.responses[0]!.partitions[0]!.records!);
  assert.equal(batches.length, 1);
  assert.equal(batches[0]!.baseOffset, 0);
  c.close();
}));

test('fetch beyond the log end is OFFSET_OUT_OF_RANGE', () => withBroker({}, async (tb) => {
  const c = await setup(tb);
  const f = await c.request(FetchApi, 11, fetchReq('t', 5));
  assert.equal(f.responses[0]!.partitions[0]!.errorCode, 1);
  c.close();
}));

test('ListOffsets earliest, latest, max timestamp and by timestamp', () => withBroker({}, async (tb) => {
  const c = await setup(tb);
  const t0 = Date.now() - 10_000;
  await produce(c, 't', batch(['a'], t0));
  await produce(c, 't', batch(['b'], t0 + 5000));
  await produce(c, 't', batch(['c'], t0 + 2000));
  const ask = async (timestamp: number, version = 7) => {
    const r = await c.request(ListOffsetsApi, version, {
      replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp, currentLeaderEpoch: -1 }] }],
    });
    const p = r.topics[0]!.partitions[0]!;
    return [p.errorCode, p.offset, p.timestamp];
  };
  assert.deepEqual(await ask(-2), [0, 0, -1]);
  assert.deepEqual(await ask(-1), [0, 3, -1]);
  assert.deepEqual(await ask(-3), [0, 1, t0 + 5000]);
  assert.deepEqual(await ask(t0 + 1000), [0, 1, t0 + 5000]);
  assert.deepEqual(await ask(t0 + 60_000), [0, -1, -1]);
  assert.deepEqual(await ask(-1, 1), [0, 3, -1]);
  assert.deepEqual(await ask(-5, 9), [0, -1, -1]);
  c.close();
}));

test('LogAppendTime topics get the broker time', () => withBroker({}, async (tb) => {
  const c = await setup(tb, 'lat', { 'message.timestamp.type': 'LogAppendTime' });
  const before = Date.now();
  const r = await produce(c, 'lat', batch(['a'], 1000));
  assert.ok(r.responses[0]!.partitionResponses[0]!.logAppendTimeMs! >= before);
  c.close();
}));

test('data survives a broker restart', () => withBroker({}, async (tb) => {
  let c = await setup(tb);
  await produce(c, 't', batch(['persist']));
  c.close();
  const topicId = tb.broker.context.store.topic('t')!.topicId;
  const clusterId = tb.broker.context.store.clusterId();
  await tb.restart();
  assert.equal(tb.broker.context.store.clusterId(), clusterId);
  assert.equal(tb.broker.context.store.topic('t')!.topicId, topicId);
  c = await TestClient.connect(tb.port);
  const f = await c.request(FetchApi, 11, fetchReq('t', 0));
  assert.equal(f.responses[0]!.partitions[0]!.highWatermark, 1);
  assert.equal(decodeRecordBatches(f.responses[0]!.partitions[0]!.records!)[0]!.records[0]!.value!.toString(), 'persist');
  c.close();
}));

test('Produce v0-2 are advertised for librdkafka but answered UNSUPPORTED_FOR_MESSAGE_FORMAT', () => withBroker({}, async (tb) => {
  const c = await setup(tb);
  const r = await produce(c, 't', batch(['old']), 1, 2);
  const p = r.responses[0]!.partitionResponses[0]!;
  assert.equal(p.errorCode, 43);
  const f = await c.request(FetchApi, 11, fetchReq('t', 0));
  assert.equal(f.responses[0]!.partitions[0]!.highWatermark, 0, 'nothing was appended');
  c.close();
}));
