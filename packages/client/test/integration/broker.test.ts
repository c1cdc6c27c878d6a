// Integration: our Producer/Consumer/Admin against the real Tributary broker, in-process on an
// ephemeral port with a temp log dir. Skipped until @tributary/broker exports startBroker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '../../src/admin/admin.ts';
import { Consumer } from '../../src/consumer/consumer.ts';
import type { ConsumerRecord } from '../../src/consumer/record-decoder.ts';
import { Producer, type CompressionName } from '../../src/producer/producer.ts';
import { murmur2, toPositive } from '../../src/producer/murmur2.ts';
import { KafkaError } from '../../src/kafka-errors.ts';

type StartBroker = (props: Record<string, string>) => Promise<{ listeners: Array<{ host: string; port: number }>; close(): Promise<void> | void }>;

let startBroker: StartBroker | null = null;
try {
  const mod = (await import('@tributary/broker' as string)) as { startBroker?: StartBroker };
  startBroker = mod.startBroker ?? null;
} catch {
  startBroker = null;
}
const skip = startBroker === null ? 'broker not available yet (@tributary/broker startBroker)' : false;

let dir = '';
let broker: Awaited<ReturnType<StartBroker>> | null = null;
let bootstrap = '';

before(async () => {
  if (startBroker === null) return;
  dir = mkdtempSync(join(tmpdir(), 'tributary-client-it-'));
  broker = await startBroker({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, 'broker.id': '1', 'num.partitions': '1', 'auto.create.topics.enable': 'true' });
  bootstrap = `${broker.listeners[0]!.host}:${broker.listeners[0]!.port}`;
});

after(async () => {
  await broker?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

async function readAll(topic: string, partitions: number, count: number): Promise<ConsumerRecord[]> {
  const consumer = new Consumer({ bootstrapServers: bootstrap, maxWaitMs: 100 });
  await consumer.connect();
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
  const out: ConsumerRecord[] = [];
  const deadline = Date.now() + 30_000;
  try {
    while (out.length < count && Date.now() < deadline) out.push(...await consumer.poll());
  } finally {
    await consumer.close();
  }
  return out;
}

const CODECS: CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const N = 10_000;
const PARTITIONS = 4;

for (const codec of CODECS) {
  test(`produce ${N} keyed records with headers (${codec}) and consume them back`, { skip }, async () => {
    const topic = `it-${codec}`;
    const admin = new Admin({ bootstrapServers: bootstrap });
    await admin.connect();
    await admin.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    await admin.close();
    const producer = new Producer({ bootstrapServers: bootstrap, compression: codec, lingerMs: 2 });
    await producer.connect();
    const sends = [];
    for (let i = 0; i < N; i += 500) {
      sends.push(producer.send({ topic, messages: Array.from({ length: 500 }, (_, k) => ({
        key: `key-${(i + k) % 997}`, value: `value-${i + k}`, headers: { seq: String(i + k), codec },
      })) }));
    }
    const meta = (await Promise.all(sends)).flat();
    await producer.close();
    assert.equal(meta.length, N);
    const records = await readAll(topic, PARTITIONS, N);
    assert.equal(records.length, N);
    const lastSeqPerKey = new Map<string, number>();
    for (const r of records) {
      const key = r.key!.toString();
      const seq = Number(r.headers.find((h) => h.key === 'seq')!.value!.toString());
      assert.equal(r.value!.toString(), `value-${seq}`);
      assert.equal(r.partition, toPositive(murmur2(Buffer.from(key))) % PARTITIONS);
      assert.equal(meta[seq]!.partition, r.partition);
      assert.equal(meta[seq]!.offset, r.offset);
      assert.ok((lastSeqPerKey.get(key) ?? -1) < seq, `order of ${key}`);
      lastSeqPerKey.set(key, seq);
    }
  });
}

test('admin: create, describe, configs, partitions, offsets, delete records, delete topic', { skip }, async () => {
  const admin = new Admin({ bootstrapServers: bootstrap });
  await admin.connect();
  try {
    await admin.createTopics([{ topic: 'adm', numPartitions: 2, replicationFactor: 1, configs: { 'retention.ms': '3600000' } }]);
    await assert.rejects(admin.createTopics([{ topic: 'adm', numPartitions: 1 }]), (e: unknown) => e instanceof KafkaError && e.code === 36);
    assert.ok((await admin.listTopics()).includes('adm'));
    const [desc] = await admin.describeTopics(['adm']);
    assert.equal(desc!.partitions.length, 2);
    assert.deepEqual(desc!.partitions[0]!.replicas, [desc!.partitions[0]!.leader]);
    const [cfg] = await admin.describeConfigs([{ type: 'topic', name: 'adm' }]);
    const retention = cfg!.configs.find((c) => c.name === 'retention.ms')!;
    assert.equal(retention.value, '3600000');
    assert.equal(retention.isDefault, false);
    await admin.alterConfigs([{ type: 'topic', name: 'adm', set: { 'retention.ms': '7200000' } }]);
    const [cfg2] = await admin.describeConfigs([{ type: 'topic', name: 'adm', keys: ['retention.ms'] }]);
    assert.equal(cfg2!.configs[0]!.value, '7200000');
    await admin.createPartitions([{ topic: 'adm', count: 3 }]);
    assert.equal((await admin.describeTopics(['adm']))[0]!.partitions.length, 3);
    const producer = new Producer({ bootstrapServers: bootstrap, lingerMs: 0 });
    await producer.connect();
    await producer.send({ topic: 'adm', messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: 0 })) });
    await producer.close();
    const offsets = await admin.listOffsets([{ topic: 'adm', partition: 0, spec: 'earliest' }, { topic: 'adm', partition: 0, spec: 'latest' }]);
    assert.deepEqual(offsets.map((o) => o.offset), [0, 10]);
    const [low] = await admin.deleteRecords([{ topic: 'adm', partition: 0, offset: 4 }]);
    assert.equal(low!.lowWatermark, 4);
    const cluster = await admin.describeCluster();
    assert.equal(cluster.brokers.length, 1);
    await admin.deleteTopics(['adm']);
    assert.ok(!(await admin.listTopics()).includes('adm'));
  } finally {
    await admin.close();
  }
});
