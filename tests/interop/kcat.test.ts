/**
 * kcat 1.7.1 (Debian's librdkafka 2.0.2) against a Tributary broker process: produces 10,000 keyed
 * records with headers in every codec librdkafka has, restarts the broker gracefully, then consumes
 * everything back with the simple (assign-based) consumer and checks content, order and murmur2
 * placement. kcat cannot create topics: they are auto-created (num.partitions=6). kcat sets headers
 * per run (-H), so every record of a codec carries the same headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BrokerProcess } from '../helpers/broker-process.ts';
import { assertCodecOnDisk, assertExitOk, BROKER_CONFIG, makeRecords, PARTITIONS, runProcess, verifyConsumed, type ConsumedRecord, type TestRecord } from './common.ts';

const KCAT = 'kcat';
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const topicOf = (codec: string) => `kcat-${codec}`;

interface KcatJsonRecord {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  headers?: Array<string | null>;
}

function parseKcatJson(stdout: string): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const j = JSON.parse(line) as KcatJsonRecord;
    const flat = j.headers ?? [];
    const headers: Array<[string, string | null]> = [];
    for (let i = 0; i < flat.length; i += 2) headers.push([flat[i]!, flat[i + 1] ?? null]);
    out.push({ partition: j.partition, offset: j.offset, key: j.key, value: j.payload, headers });
  }
  return out;
}

async function kcatProduce(bootstrap: string, topic: string, records: readonly TestRecord[], codec: string, extra: string[] = []) {
  const headerArgs = records[0]!.headers.flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const input = records.map((r) => `${r.key}:${r.value}`).join('\n') + '\n';
  const r = await runProcess(KCAT, ['-b', bootstrap, '-P', '-t', topic, '-K', ':', '-z', codec,
    '-X', 'partitioner=murmur2_random', '-X', 'acks=all', '-X', 'linger.ms=5', ...headerArgs, ...extra], { input, timeoutMs: 60_000 });
  return r;
}

async function kcatConsume(bootstrap: string, topic: string) {
  const r = await runProcess(KCAT, ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q'], { timeoutMs: 60_000 });
  assertExitOk(`kcat -C ${topic}`, r);
  return parseKcatJson(r.stdout);
}

describe('kcat (librdkafka 2.0.2) against tributary', () => {
  let broker: BrokerProcess | undefined;
  const produced = new Map<string, TestRecord[]>();

  before(async () => {
    broker = await BrokerProcess.start({ config: BROKER_CONFIG });
  });

  after(async () => {
    if (!broker) return;
    try { await broker.stop(); } catch { await broker.kill(); }
    broker.removeDir();
  });

  for (const codec of CODECS) {
    test(`produces 10,000 keyed records with headers, ${codec} compression, murmur2_random partitioner`, async () => {
      const records = makeRecords(codec, undefined, false);
      const r = await kcatProduce(broker!.bootstrap, topicOf(codec), records, codec);
      assertExitOk(`kcat -P ${codec}`, r);
      assert.doesNotMatch(r.stderr, /fail|error/i, r.stderr.slice(-3000));
      produced.set(codec, records);
      assertCodecOnDisk(broker!.dataDir, topicOf(codec), codec);
    });
  }

  test('auto-created the topics with num.partitions=6', async () => {
    const r = await runProcess(KCAT, ['-b', broker!.bootstrap, '-L', '-J', '-t', topicOf('none')], { timeoutMs: 30_000 });
    assertExitOk('kcat -L', r);
    const md = JSON.parse(r.stdout) as { topics: Array<{ topic: string; partitions: unknown[]; error?: string }> };
    const t = md.topics.find((x) => x.topic === topicOf('none'));
    assert.ok(t, r.stdout);
    assert.equal(t.partitions.length, PARTITIONS);
  });

  test('broker restarts gracefully (SIGTERM) with the data on disk', async () => {
    assert.equal(await broker!.stop(), 0, `broker exit code; log tail:\n${broker!.log.slice(-3000)}`);
    await broker!.relaunch();
  });

  for (const codec of CODECS) {
    test(`after the restart, consumes the ${codec} records back: content, per-partition order, murmur2 placement`, async () => {
      const records = produced.get(codec);
      assert.ok(records, 'produce step failed');
      const consumed = await kcatConsume(broker!.bootstrap, topicOf(codec));
      verifyConsumed(records, consumed, { partitions: PARTITIONS, contiguousFromZero: true });
    });
  }

  test('an invalid topic name fails cleanly and the broker keeps serving', async () => {
    const r = await runProcess(KCAT, ['-b', broker!.bootstrap, '-P', '-t', 'bad/topic name!', '-X', 'message.timeout.ms=10000'], { input: 'x\n', timeoutMs: 30_000 });
    assert.match(r.stderr, /Invalid topic|topic.*invalid|TOPIC_EXCEPTION/i, `kcat stderr:\n${r.stderr.slice(-3000)}`);
    // Still serving: produce and read back one record.
    const one = makeRecords('after-error', 5, false);
    assertExitOk('kcat -P after error', await kcatProduce(broker!.bootstrap, 'kcat-after-error', one, 'none'));
    verifyConsumed(one, await kcatConsume(broker!.bootstrap, 'kcat-after-error'), { partitions: PARTITIONS, javaPlacement: true });
  });
});
