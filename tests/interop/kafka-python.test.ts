/**
 * kafka-python 2.0.2 against a Tributary broker process, driven through
 * tests/interop/python/kafka_python_driver.py with api_version=(2,5,0) (no probing):
 * KafkaAdminClient creates one 6-partition topic per codec, the producer (default murmur2
 * partitioner, acks=all) writes 10,000 keyed records with headers in every codec, and an
 * assign-only consumer (group_id=None) reads them back. One more case lets kafka-python probe the
 * broker version itself.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from '../helpers/broker-process.ts';
import { assertCodecOnDisk, BROKER_CONFIG, fromPy, makeRecords, PARTITIONS, runPython, tempDir, verifyConsumed, writeRecordsFile, type PyRecord } from './common.ts';

const DRIVER = 'kafka_python_driver.py';
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

interface ProduceResult { acked: number; errors: string[]; error_count: number }
interface ConsumeResult { records: PyRecord[]; end_offsets: Record<string, number> }

describe('kafka-python 2.0.2 against tributary', () => {
  let broker: BrokerProcess | undefined;
  const tmp = tempDir('tributary-kafka-python-');

  before(async () => {
    broker = await BrokerProcess.start({ config: BROKER_CONFIG });
  });

  after(async () => {
    tmp.remove();
    if (!broker) return;
    try { await broker.stop(); } catch { await broker.kill(); }
    broker.removeDir();
  });

  async function roundTrip(codec: string, topic: string, apiVersion: string, count?: number): Promise<void> {
    const bootstrap = broker!.bootstrap;
    const created = await runPython<{ topic_errors: Array<[string, number, string | null]> }>(DRIVER, ['create', '--bootstrap', bootstrap, '--topic', topic, '--partitions', String(PARTITIONS), '--api-version', apiVersion], 30_000);
    assert.deepEqual(created.topic_errors.map(([, code]) => code), [0], JSON.stringify(created));

    const records = makeRecords(codec, count);
    const file = join(tmp.path, `${topic}.jsonl`);
    writeRecordsFile(file, records);
    const res = await runPython<ProduceResult>(DRIVER, ['produce', '--bootstrap', bootstrap, '--topic', topic, '--codec', codec, '--records', file, '--api-version', apiVersion], 120_000);
    assert.deepEqual(res.errors, []);
    assert.equal(res.acked, records.length);
    // kafka-python sends a batch uncompressed when compression does not shrink it (small lz4 batches).
    assertCodecOnDisk(broker!.dataDir, topic, codec, { someUncompressed: true });

    const consumed = await runPython<ConsumeResult>(DRIVER, ['consume', '--bootstrap', bootstrap, '--topic', topic, '--partitions', String(PARTITIONS), '--expect', String(records.length), '--timeout', '60', '--api-version', apiVersion], 120_000);
    const rows = fromPy(consumed.records);
    verifyConsumed(records, rows, { partitions: PARTITIONS, contiguousFromZero: true });
    // ListOffsets(latest) agrees with what was consumed.
    for (let p = 0; p < PARTITIONS; p++) {
      assert.equal(consumed.end_offsets[String(p)], rows.filter((r) => r.partition === p).length, `end offset of partition ${p}`);
    }
  }

  for (const codec of CODECS) {
    test(`KafkaAdminClient creates a topic; 10,000 ${codec} records round-trip with key, value, headers, order and murmur2 placement`, async () => {
      await roundTrip(codec, `kafka-python-${codec}`, '2.5.0');
    });
  }

  test('with version probing (no api_version), 1,000 gzip records round-trip', async () => {
    await roundTrip('gzip', 'kafka-python-probed', 'probe', 1000);
  });

  test('an invalid topic name fails cleanly and the broker keeps serving', async () => {
    const bootstrap = broker!.bootstrap;
    const bad = await runPython<{ error: { type: string; str: string } | null }>(DRIVER, ['bad-topic', '--bootstrap', bootstrap, '--topic', 'bad/topic name!'], 60_000);
    assert.ok(bad.error, `expected an error, got ${JSON.stringify(bad)}`);
    // The broker answers Metadata with INVALID_TOPIC_EXCEPTION (17) for the topic; kafka-python 2.0.2
    // keeps refreshing metadata until max_block_ms and then raises KafkaTimeoutError.
    assert.match(`${bad.error.type} ${bad.error.str}`, /InvalidTopic|KafkaTimeoutError/, JSON.stringify(bad.error));
    await roundTrip('none', 'kafka-python-after-error', '2.5.0', 20);
  });
});
