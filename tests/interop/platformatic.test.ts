/**
 * @platformatic/kafka 1.35.0 (the Node-20 line: flexible versions only, ApiVersions v3+) against a
 * Tributary broker process: Admin creates one 6-partition topic per codec, the producer writes
 * 10,000 keyed records with headers in every codec it has on Node 20 (none, gzip, snappy, lz4; its
 * zstd needs Node >= 22.15), and Consumer.fetch() (plain Fetch, no group) reads them back. Then the
 * broker is killed with SIGKILL and relaunched, and every acknowledged record must read back intact.
 *
 * platformatic's default partitioner is `(murmur2(key) >>> 0) % n`, which differs from Java's
 * `(murmur2(key) & 0x7fffffff) % n` for keys with a negative hash; the test uses its
 * `compatibilityPartitioner` (Java's) and checks placement against Java's formula.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Admin, compatibilityPartitioner, Consumer, Producer, stringSerializers, type CompressionAlgorithmValue, type fetchV17 } from '@platformatic/kafka';
import { BrokerProcess } from '../helpers/broker-process.ts';
import { assertCodecOnDisk, BROKER_CONFIG, makeRecords, PARTITIONS, verifyConsumed, type ConsumedRecord, type TestRecord } from './common.ts';

const CODECS = ['none', 'gzip', 'snappy', 'lz4'] as const;
const topicOf = (codec: string) => `platformatic-${codec}`;
const SEND_CHUNK = 1000;
const CLIENT_ID = 'tributary-interop';

function newProducer(bootstrap: string) {
  return new Producer({ clientId: CLIENT_ID, bootstrapBrokers: [bootstrap], serializers: stringSerializers, acks: -1, partitioner: compatibilityPartitioner, retries: 2 });
}

async function produceAll(producer: Producer<string, string, string, string>, topic: string, codec: CompressionAlgorithmValue, records: readonly TestRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += SEND_CHUNK) {
    const chunk = records.slice(i, i + SEND_CHUNK);
    await producer.send({
      compression: codec,
      messages: chunk.map((r) => ({ topic, key: r.key, value: r.value, headers: new Map(r.headers.map(([k, v]) => [k, v])) })),
    });
  }
}

/** Reads every partition of `topic` from offset 0 up to its high watermark with Consumer.fetch(). */
async function fetchAll(consumer: Consumer, topic: string): Promise<ConsumedRecord[]> {
  const md = await consumer.metadata({ topics: [topic] });
  const t = md.topics.get(topic);
  assert.ok(t, `metadata for ${topic}`);
  assert.equal(t.partitionsCount, PARTITIONS);
  const out: ConsumedRecord[] = [];
  for (let partition = 0; partition < t.partitionsCount; partition++) {
    let next = 0n;
    for (let round = 0; ; round++) {
      assert.ok(round < 1000, `fetch of ${topic}[${partition}] does not progress at ${next}`);
      const res: fetchV17.FetchResponse = await consumer.fetch({
        node: t.partitions[partition]!.leader,
        maxWaitTime: 100,
        topics: [{ topicId: t.id, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: next, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }] }],
      });
      const p: fetchV17.FetchResponsePartition = res.responses[0]!.partitions[0]!;
      assert.equal(p.errorCode, 0, `fetch error ${p.errorCode} for ${topic}[${partition}]`);
      for (const batch of p.records ?? []) {
        for (const r of batch.records) {
          const offset = batch.firstOffset + BigInt(r.offsetDelta);
          if (offset < next) continue; // a fetch may start mid-batch
          out.push({
            partition,
            offset: Number(offset),
            key: r.key?.toString('utf8') ?? null,
            value: r.value?.toString('utf8') ?? null,
            headers: r.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v?.toString('utf8') ?? null] as const),
          });
          next = offset + 1n;
        }
      }
      if (next >= p.highWatermark) break;
    }
  }
  return out;
}

describe('@platformatic/kafka 1.35.0 against tributary', () => {
  let broker: BrokerProcess | undefined;
  let admin: Admin | undefined;
  let producer: Producer<string, string, string, string> | undefined;
  let consumer: Consumer | undefined;
  const produced = new Map<string, TestRecord[]>();

  before(async () => {
    broker = await BrokerProcess.start({ config: BROKER_CONFIG });
    admin = new Admin({ clientId: CLIENT_ID, bootstrapBrokers: [broker.bootstrap] });
    producer = newProducer(broker.bootstrap);
    consumer = new Consumer({ clientId: CLIENT_ID, groupId: 'interop-fetch-only', bootstrapBrokers: [broker.bootstrap], maxWaitTime: 100 });
  });

  after(async () => {
    await producer?.close().catch(() => {});
    await consumer?.close().catch(() => {});
    await admin?.close().catch(() => {});
    if (!broker) return;
    try { await broker.stop(); } catch { await broker.kill(); }
    broker.removeDir();
  });

  test('Admin creates one 6-partition topic per codec', async () => {
    const created = await admin!.createTopics({ topics: CODECS.map(topicOf), partitions: PARTITIONS, replicas: 1 });
    assert.equal(created.length, CODECS.length);
    for (const t of created) assert.equal(t.partitions, PARTITIONS, JSON.stringify(t, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  });

  for (const codec of CODECS) {
    test(`10,000 ${codec} records round-trip with key, value, headers, order and murmur2 placement`, async () => {
      const records = makeRecords(codec);
      await produceAll(producer!, topicOf(codec), codec, records);
      produced.set(codec, records);
      assertCodecOnDisk(broker!.dataDir, topicOf(codec), codec);
      const consumed = await fetchAll(consumer!, topicOf(codec));
      verifyConsumed(records, consumed, { partitions: PARTITIONS, contiguousFromZero: true });
    });
  }

  test('SIGKILL after acks=-1 produce, relaunch: every acknowledged record intact, offsets 0..n-1 per partition', async () => {
    assert.equal(produced.size, CODECS.length, 'a produce step failed');
    await producer!.close();
    await consumer!.close();
    await broker!.kill();
    await broker!.relaunch();
    producer = newProducer(broker!.bootstrap);
    consumer = new Consumer({ clientId: CLIENT_ID, groupId: 'interop-fetch-only', bootstrapBrokers: [broker!.bootstrap], maxWaitTime: 100 });
    for (const [codec, records] of produced) {
      verifyConsumed(records, await fetchAll(consumer, topicOf(codec)), { partitions: PARTITIONS, contiguousFromZero: true });
    }
  });

  test('an invalid topic name gets an error and the broker keeps serving', async () => {
    const p = newProducer(broker!.bootstrap);
    try {
      await assert.rejects(p.send({ messages: [{ topic: 'bad/topic name!', key: 'k', value: 'v' }] }), (e: Error) => {
        const text = JSON.stringify(e, Object.getOwnPropertyNames(e).concat(['errors', 'apiId'])) + String(e);
        assert.match(text, /INVALID_TOPIC_EXCEPTION|invalid topic/i, text.slice(0, 2000));
        return true;
      });
    } finally {
      await p.close();
    }
    const records = makeRecords('after-error', 20);
    await admin!.createTopics({ topics: ['platformatic-after-error'], partitions: PARTITIONS, replicas: 1 });
    const q = newProducer(broker!.bootstrap);
    try {
      await produceAll(q, 'platformatic-after-error', 'none', records);
    } finally {
      await q.close();
    }
    verifyConsumed(records, await fetchAll(consumer!, 'platformatic-after-error'), { partitions: PARTITIONS, contiguousFromZero: true });
  });
});
