import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writer, encodeRecordBatch } from '@tributary/protocol';
import { ApiVersionsApi, FetchApi, MetadataApi, ProduceApi } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker } from './test-client.ts';

function batch(values: string[]): Buffer {
  return encodeRecordBatch({ records: values.map((v) => ({ key: null, value: Buffer.from(v) })) });
}

function sized(w: Writer): Buffer {
  const b = w.toBuffer();
  b.writeInt32BE(b.length - 4, 0);
  return b;
}

async function produceCode(c: TestClient, topic: string, records: Buffer): Promise<number> {
  const r = await c.request(ProduceApi, 7, { acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
  return r.responses[0]!.partitionResponses[0]!.errorCode;
}

test('garbage closes only that connection; another keeps working', () => withBroker({}, async ({ port }) => {
  const bad = await TestClient.connect(port);
  const good = await TestClient.connect(port);
  bad.write([Buffer.from([0, 0, 0, 12]), Buffer.from('garbage!!!!!')]);
  await bad.waitClosed();
  const res = await good.request(ApiVersionsApi, 0, {});
  assert.equal(res.errorCode, 0);
  good.close();
}));

test('a size smaller than a request header closes the connection', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  c.write([Buffer.from([0, 0, 0, 2, 0, 18])]);
  await c.waitClosed();
}));

test('a request size above socket.request.max.bytes closes the connection', () => withBroker({ 'socket.request.max.bytes': '1024' }, async ({ port }) => {
  const c = await TestClient.connect(port);
  c.write([Buffer.from([0, 0, 0x10, 0])]);
  await c.waitClosed();
}));

test('an unknown API key closes the connection', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  c.write([sized(new Writer().int32(0).int16(999).int16(0).int32(1).string('x'))]);
  await c.waitClosed();
}));

test('a known API at an unsupported version closes the connection', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  c.write([sized(new Writer().int32(0).int16(1).int16(3).int32(1).string("x").int32(-1).int32(100).int32(1).int32(0))]); // Fetch v3: below our minimum of 4
  await c.waitClosed();
}));

test('a truncated batch is CORRUPT_MESSAGE', () => withBroker({}, async ({ port, broker }) => {
  await broker.context.topics.createTopic({ name: 't' });
  const c = await TestClient.connect(port);
  const b = batch(['hello', 'world']);
  assert.equal(await produceCode(c, 't', b.subarray(0, b.length - 5)), 2);
  assert.equal(await produceCode(c, 't', b.subarray(0, 30)), 2);
  c.close();
}));

test('a bad CRC is CORRUPT_MESSAGE', () => withBroker({}, async ({ port, broker }) => {
  await broker.context.topics.createTopic({ name: 't' });
  const c = await TestClient.connect(port);
  const b = batch(['hello']);
  b[b.length - 1] ^= 0xff;
  assert.equal(await produceCode(c, 't', b), 2);
  c.close();
}));

test('a batch above max.message.bytes is MESSAGE_TOO_LARGE', () => withBroker({}, async ({ port, broker }) => {
  await broker.context.topics.createTopic({ name: 't', configs: { 'max.message.bytes': '200' } });
  const c = await TestClient.connect(port);
  assert.equal(await produceCode(c, 't', batch(['x'.repeat(500)])), 10);
  c.close();
}));

test('produce to an unknown topic is UNKNOWN_TOPIC_OR_PARTITION; to an internal one INVALID_TOPIC_EXCEPTION', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  assert.equal(await produceCode(c, 'missing', batch(['a'])), 3);
  assert.equal(await produceCode(c, '__consumer_offsets', batch(['a'])), 17);
  c.close();
}));

test('invalid topic names are INVALID_TOPIC_EXCEPTION', () => withBroker({}, async ({ port, broker }) => {
  for (const name of ['.', '..', 'a'.repeat(250), 'has space', 'ü']) {
    const r = await broker.context.topics.createTopic({ name });
    assert.ok(!r.ok && r.errorCode === 17, name);
  }
  const dup = await broker.context.topics.createTopic({ name: 'ok.name' });
  assert.ok(dup.ok);
  const again = await broker.context.topics.createTopic({ name: 'ok.name' });
  assert.ok(!again.ok && again.errorCode === 36);
  const collide = await broker.context.topics.createTopic({ name: 'ok_name' });
  assert.ok(!collide.ok && collide.errorCode === 17);
  const c = await TestClient.connect(port);
  const res = await c.request(MetadataApi, 1, { topics: [{ name: 'no such' }] });
  assert.equal(res.topics[0]!.errorCode, 17);
  c.close();
}));

test('many pipelined requests are answered in order', () => withBroker({}, async ({ port, broker }) => {
  await broker.context.topics.createTopic({ name: 't' });
  const c = await TestClient.connect(port);
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < 200; i++) {
    all.push(i % 3 === 0
      ? c.request(ProduceApi, 7, { acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: batch([`m${i}`]) }] }] })
      : i % 3 === 1 ? c.request(MetadataApi, 1, { topics: null }) : c.request(ApiVersionsApi, 1, {}));
  }
  await Promise.all(all); // TestClient rejects any response out of order
  c.close();
}));

test('a delayed fetch holds later responses behind it, in order', () => withBroker({ 'tributary.connection.inflight.requests.max': '2' }, async ({ port, broker }) => {
  await broker.context.topics.createTopic({ name: 't' });
  const c = await TestClient.connect(port);
  const other = await TestClient.connect(port);
  const fetch = c.request(FetchApi, 11, {
    replicaId: -1, maxWaitMs: 20_000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  let versionsAnswered = false;
  const versions = c.request(ApiVersionsApi, 0, {}).then((r) => { versionsAnswered = true; return r; });
  const third = c.request(ApiVersionsApi, 0, {}); // beyond the in-flight cap of 2: not read until the fetch ends
  await other.request(ApiVersionsApi, 0, {}); // a round trip elsewhere: the broker is idle now
  assert.equal(versionsAnswered, false);
  await produceCode(other, 't', batch(['go']));
  const f = await fetch;
  assert.equal(f.responses[0]!.partitions[0]!.highWatermark, 1);
  assert.equal((await versions).errorCode, 0);
  assert.equal((await third).errorCode, 0);
  c.close(); other.close();
}));
