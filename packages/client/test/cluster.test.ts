import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, parseBootstrap } from '../src/cluster.ts';
import { KafkaError } from '../src/kafka-errors.ts';
import { Producer } from '../src/producer/producer.ts';
import { FakeCluster } from './fake-cluster.ts';

async function withCluster(fn: (c: FakeCluster) => Promise<void>): Promise<void> {
  const c = await new FakeCluster().start();
  try {
    await fn(c);
  } finally {
    await c.close();
  }
}

test('parseBootstrap accepts lists, comma strings and PLAINTEXT:// prefixes', () => {
  assert.deepEqual(parseBootstrap('a:1, PLAINTEXT://b:2'), [{ host: 'a', port: 1 }, { host: 'b', port: 2 }]);
  assert.deepEqual(parseBootstrap(['[::1]:9092']), [{ host: '::1', port: 9092 }]);
  assert.throws(() => parseBootstrap('nohost'), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => parseBootstrap(''), { code: 'NO_BROKERS' });
});

test('ensureTopics retries LEADER_NOT_AVAILABLE until the topic has leaders, then gives up on a persistent error', () => withCluster(async (c) => {
  c.createTopic('t', 2);
  let failures = 3;
  c.metadataError = () => (failures-- > 0 ? 5 : 0);
  const cluster = new Cluster({ bootstrapServers: c.bootstrap, retryBackoffMs: 1 });
  try {
    await cluster.connect();
    await cluster.ensureTopics(['t']);
    assert.equal(cluster.leaderFor('t', 1), 1);
    assert.equal(cluster.controller, 1);
    await assert.rejects(cluster.ensureTopics(['missing']), (e: unknown) => e instanceof KafkaError && e.code === 3);
  } finally {
    cluster.close();
  }
}));

test('producer survives a dropped connection: the batch is retried on a new connection', () => withCluster(async (c) => {
  c.createTopic('t', 1);
  let drops = 1;
  c.dropProduce = () => drops-- > 0;
  const p = new Producer({ bootstrapServers: c.bootstrap, lingerMs: 0, retryBackoffMs: 1 });
  await p.connect();
  const res = await p.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] });
  assert.deepEqual(res.map((r) => r.offset), [0, 1]);
  assert.equal(c.logs.get('t')![0]!.batches.length, 1);
  await p.close();
}));

test('a controller id that names no broker sends admin requests to any broker', () => withCluster(async (c) => {
  c.controllerId = 0;
  const cluster = new Cluster({ bootstrapServers: c.bootstrap, retryBackoffMs: 1 });
  try {
    await cluster.connect();
    const conn = await cluster.controllerConnection();
    assert.equal(conn.port, c.broker.port);
  } finally {
    cluster.close();
  }
}));
