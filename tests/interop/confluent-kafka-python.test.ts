/**
 * confluent-kafka-python 1.7.0 (librdkafka 2.0.2) against a Tributary broker process, driven through
 * tests/interop/python/confluent_driver.py: AdminClient creates one 6-partition topic per codec, the
 * producer (murmur2_random, acks=all) writes 10,000 keyed records with per-record headers in every
 * codec, and an assign-only consumer reads them back.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from '../helpers/broker-process.ts';
import { assertCodecOnDisk, BROKER_CONFIG, fromPy, makeRecords, PARTITIONS, runPython, tempDir, verifyConsumed, writeRecordsFile, type PyRecord } from './common.ts';

const DRIVER = 'confluent_driver.py';
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const topicOf = (codec: string) => `confluent-${codec}`;

describe('confluent-kafka-python (librdkafka 2.0.2) against tributary', () => {
  let broker: BrokerProcess | undefined;
  const tmp = tempDir('tributary-confluent-');

  before(async () => {
    broker = await BrokerProcess.start({ config: BROKER_CONFIG });
  });

  after(async () => {
    tmp.remove();
    if (!broker) return;
    try { await broker.stop(); } catch { await broker.kill(); }
    broker.removeDir();
  });

  for (const codec of CODECS) {
    test(`AdminClient creates a topic; 10,000 ${codec} records round-trip with key, value, headers, order and murmur2 placement`, async () => {
      const bootstrap = broker!.bootstrap;
      const topic = topicOf(codec);
      const created = await runPython<{ partitions: number }>(DRIVER, ['create', '--bootstrap', bootstrap, '--topic', topic, '--partitions', String(PARTITIONS)], 30_000);
      assert.equal(created.partitions, PARTITIONS);

      const records = makeRecords(codec);
      const file = join(tmp.path, `${codec}.jsonl`);
      writeRecordsFile(file, records);
      const res = await runPython<{ acked: number; errors: string[]; unflushed: number }>(DRIVER, ['produce', '--bootstrap', bootstrap, '--topic', topic, '--codec', codec, '--records', file], 90_000);
      assert.deepEqual(res.errors, []);
      assert.equal(res.unflushed, 0);
      assert.equal(res.acked, records.length);
      assertCodecOnDisk(broker!.dataDir, topic, codec);

      const consumed = await runPython<{ records: PyRecord[] }>(DRIVER, ['consume', '--bootstrap', bootstrap, '--topic', topic, '--partitions', String(PARTITIONS), '--expect', String(records.length), '--timeout', '60'], 90_000);
      verifyConsumed(records, fromPy(consumed.records), { partitions: PARTITIONS, contiguousFromZero: true });
    });
  }

  test('an invalid topic name gets INVALID_TOPIC_EXCEPTION (17) and the broker keeps serving', async () => {
    const bootstrap = broker!.bootstrap;
    const bad = await runPython<{ error?: { code: number; name: string } | null; raised?: string }>(DRIVER, ['bad-topic', '--bootstrap', bootstrap, '--topic', 'bad/topic name!'], 60_000);
    assert.ok(bad.error, `expected a delivery error, got ${JSON.stringify(bad)}`);
    assert.equal(bad.error.code, 17, JSON.stringify(bad.error));

    const records = makeRecords('after-error', 20);
    const file = join(tmp.path, 'after-error.jsonl');
    writeRecordsFile(file, records);
    const res = await runPython<{ acked: number }>(DRIVER, ['produce', '--bootstrap', bootstrap, '--topic', 'confluent-after-error', '--codec', 'none', '--records', file], 60_000);
    assert.equal(res.acked, records.length);
    const consumed = await runPython<{ records: PyRecord[] }>(DRIVER, ['consume', '--bootstrap', bootstrap, '--topic', 'confluent-after-error', '--partitions', String(PARTITIONS), '--expect', String(records.length), '--timeout', '30'], 60_000);
    verifyConsumed(records, fromPy(consumed.records), { partitions: PARTITIONS, contiguousFromZero: true });
  });
});
