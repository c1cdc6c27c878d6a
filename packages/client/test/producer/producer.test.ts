import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Producer } from '../../src/producer/producer.ts';
import { KafkaError } from '../../src/kafka-errors.ts';
import { decodeFetchedRecords } from '../../src/consumer/record-decoder.ts';
import { murmur2, toPositive } from '../../src/producer/murmur2.ts';
import { FakeCluster } from '../fake-cluster.ts';

async function withCluster(fn: (c: FakeCluster) => Promise<void>): Promise<void> {
  const c = await new FakeCluster().start();
  try {
    await fn(c);
  } finally {
    await c.close();
  }
}

test('one send call resolves once with per-message offsets; keyed records land on murmur2 partitions', () => withCluster(async (c) => {
  c.createTopic('t', 4);
  const p = new Producer({ bootstrapServers: c.bootstrap, lingerMs: 5 });
  await p.connect();
  const messages = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { i: String(i) } }));
  const res = await p.send({ topic: 't', messages });
  assert.equal(res.length, 100);
  for (let i = 0; i < 100; i++) {
    assert.equal(res[i]!.partition, toPositive(murmur2(Buffer.from(`k${i}`))) % 4);
  }
  // one produce request carrying all four partitions (all records arrived within one linger)
  assert.equal(c.produceRequests.length, 1);
  assert.equal(c.produceRequests[0]!.topicData[0]!.partitionData.length, 4);
  for (let part = 0; part < 4; part++) {
    const log = c.logs.get('t')![part]!;
    const stored = decodeFetchedRecords('t', part, Buffer.concat(log.batches), 0, null).records;
    const mine = res.map((r, i) => ({ r, i })).filter(({ r }) => r.partition === part);
    assert.deepEqual(stored.map((s) => s.value!.toString()), mine.map(({ i }) => `v${i}`));
    assert.deepEqual(mine.map(({ r }) => r.offset), mine.map((_, k) => k));
    assert.deepEqual(stored.map((s) => s.headers[0]!.value!.toString()), mine.map(({ i }) => String(i)));
  }
  await p.close();
}));

test('batches close at batchBytes and linger groups several send calls into one request', () => withCluster(async (c) => {
  c.createTopic('t', 1);
  const p = new Producer({ bootstrapServers: c.bootstrap, lingerMs: 20, batchBytes: 2000, maxInFlight: 1 });
  await p.connect();
  const value = Buffer.alloc(100, 1);
  const sends = Array.from({ length: 10 }, () => p.send({ topic: 't', messages: Array.from({ length: 10 }, () => ({ value })) }));
  const results = await Promise.all(sends);
  const offsets = results.flat().map((r) => r.offset);
  assert.deepEqual(offsets, Array.from({ length: 100 }, (_, i) => i));
  const batches = c.logs.get('t')![0]!.batches;
  assert.ok(batches.length >= 5, `expected batches of ~2000 bytes, got ${batches.length}`);
  for (const b of batches) assert.ok(b.length <= 2000 + 200, `batch of ${b.length} bytes`);
  await p.close();
}));

test('null keys stick to one partition until its batch is sent', () => withCluster(async (c) => {
  c.createTopic('t', 8);
  const p = new Producer({ bootstrapServers: c.bootstrap, lingerMs: 50 });
  await p.connect();
  const res = await p.send({ topic: 't', messages: Array.from({ length: 50 }, (_, i) => ({ value: `v${i}` })) });
  assert.equal(new Set(res.map((r) => r.partition)).size, 1);
  await p.close();
}));

test('retriable produce errors are retried; non-retriable ones reject the send with KafkaError', () => withCluster(async (c) => {
  c.createTopic('t', 1);
  let failures = 2;
  c.produceError = () => (failures-- > 0 ? 6 : 0); // NOT_LEADER_OR_FOLLOWER twice
  const p = new Producer({ bootstrapServers: c.bootstrap, lingerMs: 0, retryBackoffMs: 1 });
  await p.connect();
  const res = await p.send({ topic: 't', messages: [{ value: 'a' }] });
  assert.equal(res[0]!.offset, 0);
  c.produceError = () => 87; // INVALID_RECORD
  await assert.rejects(p.send({ topic: 't', messages: [{ value: 'b' }] }), (e: unknown) => e instanceof KafkaError && e.code === 87);
  await p.close();
}));

test('acks=0 resolves with offset -1 and the records are stored', () => withCluster(async (c) => {
  c.createTopic('t', 1);
  const p = new Producer({ bootstrapServers: c.bootstrap, acks: 0, lingerMs: 0 });
  await p.connect();
  const res = await p.send({ topic: 't', messages: [{ value: 'x' }, { value: 'y' }] });
  assert.deepEqual(res.map((r) => r.offset), [-1, -1]);
  await p.close();
}));

test('an explicit partition out of range rejects with INVALID_ARGUMENT', () => withCluster(async (c) => {
  c.createTopic('t', 2);
  const p = new Producer({ bootstrapServers: c.bootstrap });
  await p.connect();
  await assert.rejects(p.send({ topic: 't', messages: [{ value: 'x', partition: 5 }] }), { code: 'INVALID_ARGUMENT' });
  await p.close();
}));
