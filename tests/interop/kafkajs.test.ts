/**
 * kafkajs 2.2.4 against a Tributary broker process: the admin client creates one 6-partition topic
 * per codec, the producer (DefaultPartitioner = Java murmur2, acks=-1) writes 10,000 keyed records
 * with headers in every codec (gzip built in, snappy via kafkajs-snappy, lz4 via kafkajs-lz4, zstd
 * via a small codec on zstd-napi), then the broker is killed with SIGKILL and relaunched: every
 * acknowledged record must still be there, offsets 0..n-1 per partition, read back by a kafkajs
 * group consumer.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import kafkajs, { type Admin, type Kafka, type Producer } from 'kafkajs';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';
import { BrokerProcess, waitFor } from '../helpers/broker-process.ts';
import { assertCodecOnDisk, BROKER_CONFIG, javaPartition, makeRecords, PARTITIONS, verifyConsumed, type ConsumedRecord, type TestRecord } from './common.ts';

// kafkajs is CommonJS and its named exports are not statically detectable: take them off the default export.
const { CompressionCodecs, CompressionTypes, Kafka: KafkaClient, logLevel, Partitioners } = kafkajs;
const require = createRequire(import.meta.url);
// The codec plug-ins ship without type declarations.
const SnappyCodec = require('kafkajs-snappy') as () => unknown;
const LZ4Codec = require('kafkajs-lz4') as new () => { codec: () => unknown };

/** kafkajs codec interface: compress(encoder with .buffer) and decompress(buffer), both async. */
function zstdCodec() {
  return {
    async compress(encoder: { buffer: Buffer }): Promise<Buffer> { return zstdCompress(encoder.buffer); },
    async decompress(buffer: Buffer): Promise<Buffer> { return zstdDecompress(buffer); },
  };
}

const codecs = CompressionCodecs as unknown as Record<number, unknown>;
codecs[CompressionTypes.Snappy] = SnappyCodec;
codecs[CompressionTypes.LZ4] = new LZ4Codec().codec;
codecs[CompressionTypes.ZSTD] = zstdCodec;

const CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD } as const;
type Codec = keyof typeof CODECS;
const topicOf = (codec: string) => `kafkajs-${codec}`;
const SEND_CHUNK = 1000;

function client(bootstrap: string): Kafka {
  const level = process.env.TRIBUTARY_IT_VERBOSE ? logLevel.DEBUG : logLevel.NOTHING;
  return new KafkaClient({ clientId: 'tributary-interop', brokers: [bootstrap], logLevel: level, retry: { retries: 5, initialRetryTime: 100 } });
}

async function produceAll(producer: Producer, topic: string, codec: Codec, records: readonly TestRecord[]): Promise<Map<number, number>> {
  const acked = new Map<number, number>();
  for (let i = 0; i < records.length; i += SEND_CHUNK) {
    const chunk = records.slice(i, i + SEND_CHUNK);
    const res = await producer.send({
      topic,
      acks: -1,
      compression: CODECS[codec],
      messages: chunk.map((r) => ({ key: r.key, value: r.value, headers: Object.fromEntries(r.headers) })),
    });
    for (const m of res) {
      assert.equal(m.errorCode, 0);
      acked.set(m.partition, Number(m.baseOffset));
    }
  }
  return acked;
}

/** Consumes every topic from the beginning with a group consumer until `expected` records per topic arrived. */
async function consumeAll(kafka: Kafka, topics: readonly string[], expected: number): Promise<Map<string, ConsumedRecord[]>> {
  const out = new Map<string, ConsumedRecord[]>(topics.map((t) => [t, []]));
  const consumer = kafka.consumer({ groupId: `interop-${Date.now()}`, maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 1000 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    let failure: unknown;
    consumer.on(consumer.events.CRASH, (e) => { failure = e.payload.error; });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const list = out.get(batch.topic)!;
        for (const m of batch.messages) {
          list.push({
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key === null ? null : m.key.toString('utf8'),
            value: m.value === null ? null : m.value.toString('utf8'),
            headers: Object.entries(m.headers ?? {}).map(([k, v]) => [k, v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v)] as const),
          });
        }
      },
    });
    await waitFor('kafkajs consumer to read every record', () => {
      if (failure) throw failure;
      return [...out.values()].every((l) => l.length >= expected);
    }, 90_000, 50);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

describe('kafkajs 2.2.4 against tributary', () => {
  let broker: BrokerProcess | undefined;
  let admin: Admin | undefined;
  const produced = new Map<Codec, TestRecord[]>();

  before(async () => {
    broker = await BrokerProcess.start({ config: BROKER_CONFIG });
    admin = client(broker.bootstrap).admin();
    await admin.connect();
  });

  after(async () => {
    await admin?.disconnect().catch(() => {});
    if (!broker) return;
    try { await broker.stop(); } catch { await broker.kill(); }
    broker.removeDir();
  });

  test('admin creates one 6-partition topic per codec', async () => {
    const created = await admin!.createTopics({
      topics: Object.keys(CODECS).map((c) => ({ topic: topicOf(c), numPartitions: PARTITIONS, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    assert.equal(created, true);
    const md = await admin!.fetchTopicMetadata({ topics: Object.keys(CODECS).map(topicOf) });
    for (const t of md.topics) assert.equal(t.partitions.length, PARTITIONS, t.name);
  });

  for (const codec of Object.keys(CODECS) as Codec[]) {
    test(`produces 10,000 keyed records with headers, ${codec}, acks=-1, Java-compatible partitioner`, async () => {
      const producer = client(broker!.bootstrap).producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      try {
        const records = makeRecords(codec);
        await produceAll(producer, topicOf(codec), codec, records);
        produced.set(codec, records);
        assertCodecOnDisk(broker!.dataDir, topicOf(codec), codec);
      } finally {
        await producer.disconnect();
      }
    });
  }

  test('SIGKILL after acks=-1 produce, relaunch: every acknowledged record survives, offsets contiguous', async () => {
    await admin!.disconnect();
    await broker!.kill();
    await broker!.relaunch();
    const fresh = client(broker!.bootstrap).admin();
    admin = fresh;
    await fresh.connect();
    for (const [codec, records] of produced) {
      const offsets = await fresh.fetchTopicOffsets(topicOf(codec));
      for (const o of offsets) {
        const expected = records.filter((r) => javaPartition(r.key, PARTITIONS) === o.partition).length;
        assert.equal(Number(o.high), expected, `${topicOf(codec)}[${o.partition}] high watermark after SIGKILL`);
        assert.equal(Number(o.low), 0);
      }
    }
  });

  test('a kafkajs group consumer reads back every codec: content, per-partition order, murmur2 placement', async () => {
    assert.equal(produced.size, Object.keys(CODECS).length, 'a produce step failed');
    const consumed = await consumeAll(client(broker!.bootstrap), [...produced.keys()].map(topicOf), 10_000);
    for (const [codec, records] of produced) {
      verifyConsumed(records, consumed.get(topicOf(codec))!, { partitions: PARTITIONS, contiguousFromZero: true });
    }
  });

  test('an invalid topic name gets INVALID_TOPIC_EXCEPTION and the broker keeps serving', async () => {
    const producer = client(broker!.bootstrap).producer({ createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 0 } });
    await producer.connect();
    try {
      await assert.rejects(producer.send({ topic: 'bad/topic name!', messages: [{ key: 'k', value: 'v' }] }), (e: Error & { type?: string; cause?: { type?: string } }) => {
        assert.match(`${e.name} ${e.message} ${e.type ?? ''} ${e.cause?.type ?? ''}`, /INVALID_TOPIC_EXCEPTION|invalid topic/i, String(e));
        return true;
      });
      // Still serving on the same connection set.
      const res = await producer.send({ topic: topicOf('none'), acks: -1, messages: [{ key: 'after-error', value: 'x' }] });
      assert.equal(res[0]!.errorCode, 0);
      assert.equal(res[0]!.partition, javaPartition('after-error', PARTITIONS));
    } finally {
      await producer.disconnect();
    }
  });
});
