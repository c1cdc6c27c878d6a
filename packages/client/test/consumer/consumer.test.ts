import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer } from '../../src/consumer/consumer.ts';
import type { ConsumerRecord } from '../../src/consumer/record-decoder.ts';
import { Producer } from '../../src/producer/producer.ts';
import { FakeCluster } from '../fake-cluster.ts';

async function withCluster(fn: (c: FakeCluster) => Promise<void>): Promise<void> {
  const c = await new FakeCluster().start();
  try {
    await fn(c);
  } finally {
    await c.close();
  }
}

async function fill(c: FakeCluster, topic: string, partitions: number, n: number): Promise<void> {
  const p = new Producer({ bootstrapServers: c.bootstrap, lingerMs: 1, batchBytes: 1000 });
  await p.connect();
  for (let part = 0; part < partitions; part++) {
    await p.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: `p${part}-${i}`, partition: part })) });
  }
  await p.close();
}

async function pollUntil(consumer: Consumer, count: number, deadlineMs = 5000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  const deadline = Date.now() + deadlineMs;
  while (out.length < count && Date.now() < deadline) out.push(...await consumer.poll());
  return out;
}

test('reads every partition from an assigned offset, in order per partition', () => withCluster(async (c) => {
  c.createTopic('t', 3);
  await fill(c, 't', 3, 200);
  const consumer = new Consumer({ bootstrapServers: c.bootstrap, maxWaitMs: 20, partitionMaxBytes: 1500 });
  await consumer.connect();
  consumer.assign([0, 1, 2].map((partition) => ({ topic: 't', partition, offset: 0 })));
  const records = await pollUntil(consumer, 600);
  assert.equal(records.length, 600);
  for (let part = 0; part < 3; part++) {
    const mine = records.filter((r) => r.partition === part);
    assert.deepEqual(mine.map((r) => r.offset), Array.from({ length: 200 }, (_, i) => i));
    assert.deepEqual(mine.map((r) => r.value!.toString()), Array.from({ length: 200 }, (_, i) => `p${part}-${i}`));
  }
  assert.equal(consumer.position('t', 0), 200);
  await consumer.close();
}));

test('a fetch starting mid-batch skips the records below the position', () => withCluster(async (c) => {
  c.createTopic('t', 1);
  await fill(c, 't', 1, 50);
  const consumer = new Consumer({ bootstrapServers: c.bootstrap, maxWaitMs: 20 });
  await consumer.connect();
  consumer.assign([{ topic: 't', partition: 0, offset: 37 }]);
  const records = await pollUntil(consumer, 13);
  assert.deepEqual(records.map((r) => r.offset), Array.from({ length: 13 }, (_, i) => 37 + i));
  consumer.seek('t', 0, 5);
  const again = await pollUntil(consumer, 45);
  assert.equal(again[0]!.offset, 5);
  await consumer.close();
}));

test('autoOffsetReset earliest/latest without an offset, and on OFFSET_OUT_OF_RANGE', () => withCluster(async (c) => {
  c.createTopic('t', 1);
  await fill(c, 't', 1, 10);
  const earliest = new Consumer({ bootstrapServers: c.bootstrap, maxWaitMs: 20, autoOffsetReset: 'earliest' });
  await earliest.connect();
  earliest.assign([{ topic: 't', partition: 0 }]);
  assert.equal((await pollUntil(earliest, 10)).length, 10);
  earliest.seek('t', 0, 1000); // beyond the end: OFFSET_OUT_OF_RANGE -> earliest
  const reread = await pollUntil(earliest, 10);
  assert.equal(reread[0]!.offset, 0);
  await earliest.close();

  const latest = new Consumer({ bootstrapServers: c.bootstrap, maxWaitMs: 20, autoOffsetReset: 'latest' });
  await latest.connect();
  latest.assign([{ topic: 't', partition: 0 }]);
  assert.deepEqual(await latest.poll(), []);
  await fill(c, 't', 1, 3);
  const fresh = await pollUntil(latest, 3);
  assert.deepEqual(fresh.map((r) => r.offset), [10, 11, 12]);
  await latest.close();
}));
