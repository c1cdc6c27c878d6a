/**
 * End to end: `tributary groups ...` child processes against a `tributary start` child process, with
 * a group formed by a GroupConsumer in the test process.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Admin, GroupConsumer, Producer } from '@tributary/client';
import { main } from '../../src/main.ts';
import { killIfRunning, runCli, startBrokerProcess, tempDir, type RunningBroker } from '../helpers.ts';

const TOPIC = 'orders';
const GROUP = 'billing';
/** Record i of each partition is stamped BASE_MS + i minutes. */
const BASE_MS = Date.UTC(2024, 0, 1);
const MINUTE_MS = 60_000;
const RECORDS = [10, 6];
const DEADLINE_MS = 30_000;

/** Splits a table's data rows (header dropped) into cells. */
function rows(stdout: string, header: string): string[][] {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith(header));
  assert.ok(at >= 0, `no ${header} table in:\n${stdout}`);
  const out: string[][] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') break;
    out.push(line.trim().split(/\s+/));
  }
  return out;
}

describe('tributary groups', () => {
  const dir = tempDir('groups');
  let broker: RunningBroker | undefined;
  let admin: Admin | undefined;
  let consumer: GroupConsumer | undefined;
  const groups = (...args: string[]) => runCli(['groups', ...args, '--bootstrap-server', broker!.bootstrap]);

  /** Committed offsets of GROUP as [partition, offset] pairs. */
  const committed = async (): Promise<Array<[number, number]>> =>
    (await admin!.listConsumerGroupOffsets(GROUP)).map((o) => [o.partition, o.offset]);

  before(async () => {
    broker = await startBrokerProcess(dir.path, ['--set', 'group.initial.rebalance.delay.ms=0']);
    admin = new Admin({ bootstrapServers: broker.bootstrap });
    await admin.connect();
    await admin.createTopics([{ topic: TOPIC, numPartitions: RECORDS.length, replicationFactor: 1 }]);
    const producer = new Producer({ bootstrapServers: broker.bootstrap, lingerMs: 0 });
    await producer.connect();
    try {
      for (const [partition, count] of RECORDS.entries()) {
        await producer.send({
          topic: TOPIC,
          messages: Array.from({ length: count }, (_, i) => ({ value: `${partition}-${i}`, partition, timestamp: BASE_MS + i * MINUTE_MS })),
        });
      }
    } finally {
      await producer.close();
    }
  });
  after(async () => {
    await consumer?.close().catch(() => undefined);
    await admin?.close().catch(() => undefined);
    killIfRunning(broker);
    await broker?.stop();
    dir.remove();
  });

  test('a live group: list, describe with lag; reset and delete are refused while it has members', async () => {
    consumer = new GroupConsumer({
      bootstrapServers: broker!.bootstrap, groupId: GROUP, clientId: 'billing-app', enableAutoCommit: false,
      autoOffsetReset: 'earliest', maxWaitMs: 50, heartbeatIntervalMs: 200, sessionTimeoutMs: 10_000,
    });
    await consumer.connect();
    consumer.subscribe([TOPIC]);
    let received = 0;
    const total = RECORDS.reduce((a, b) => a + b, 0);
    const deadline = Date.now() + DEADLINE_MS;
    while (received < total) {
      assert.ok(Date.now() < deadline, `consumed only ${received} of ${total} records`);
      received += (await consumer.poll()).length;
    }
    // Partition 0 is 3 behind its log end; partition 1 is caught up.
    await consumer.commit([{ topic: TOPIC, partition: 0, offset: 7 }, { topic: TOPIC, partition: 1, offset: 6 }]);

    const listed = await groups('list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(rows(listed.stdout, 'GROUP'), [[GROUP, 'Stable', 'consumer']]);
    assert.equal((await groups('list', '--state', 'empty')).stdout, '', 'no Empty groups');

    const described = await groups('describe', GROUP);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^Group: billing {2}State: Stable {2}Protocol: consumer\/range {2}Coordinator: \d+ {2}Members: 1$/m);
    const memberId = consumer.memberId;
    const members = rows(described.stdout, 'MEMBER-ID');
    assert.equal(members.length, 1);
    assert.deepEqual([members[0]![0], members[0]![1], members[0]![3]], [memberId, 'billing-app', 'orders:0,orders:1']);
    const offsets = rows(described.stdout, 'TOPIC');
    assert.deepEqual(offsets.map((r) => r.slice(0, 6)), [
      [TOPIC, '0', '7', '10', '3', memberId],
      [TOPIC, '1', '6', '6', '0', memberId],
    ]);
    assert.deepEqual(offsets.map((r) => r[7]), ['billing-app', 'billing-app']);

    const refused = await groups('reset-offsets', GROUP, '--all-topics', '--to-earliest', '--execute');
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `tributary: consumer group ${GROUP} is not empty (state Stable): stop its members first\n`);
    const notDeleted = await groups('delete', GROUP);
    assert.equal(notDeleted.code, 1);
    assert.equal(notDeleted.stderr, `tributary: consumer group ${GROUP} is not empty: stop its members first\n`);
    assert.deepEqual(await committed(), [[0, 7], [1, 6]]);
  });

  test('an empty group: describe, dry run, then --execute for each mode', async () => {
    await consumer!.close();
    consumer = undefined;

    const listed = await groups('list', '--state', 'Empty');
    assert.deepEqual(rows(listed.stdout, 'GROUP'), [[GROUP, 'Empty', 'consumer']]);
    const described = await groups('describe', GROUP);
    assert.match(described.stdout, /State: Empty .*Members: 0\n\nConsumer group billing has no active members\.\n/);
    assert.deepEqual(rows(described.stdout, 'TOPIC'), [[TOPIC, '0', '7', '10', '3', '-', '-', '-'], [TOPIC, '1', '6', '6', '0', '-', '-', '-']]);

    const dry = await groups('reset-offsets', GROUP, '--all-topics', '--to-earliest');
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(rows(dry.stdout, 'TOPIC'), [[TOPIC, '0', '0'], [TOPIC, '1', '0']]);
    assert.match(dry.stderr, /dry run/);
    assert.deepEqual(await committed(), [[0, 7], [1, 6]], 'a dry run changes nothing');

    const reset = async (expected: Array<[number, number]>, ...args: string[]) => {
      const r = await groups('reset-offsets', GROUP, ...args, '--execute');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await committed(), expected, args.join(' '));
      return r;
    };
    const earliest = await reset([[0, 0], [1, 0]], '--all-topics', '--to-earliest');
    assert.deepEqual(rows(earliest.stdout, 'TOPIC'), [[TOPIC, '0', '0'], [TOPIC, '1', '0']]);
    await reset([[0, 10], [1, 6]], '--topic', TOPIC, '--to-latest');
    await reset([[0, 4], [1, 6]], '--topic', `${TOPIC}:0`, '--to-offset', '4');
    await reset([[0, 4], [1, 6]], '--topic', `${TOPIC}:1`, '--to-offset', '99');
    await reset([[0, 1], [1, 3]], '--all-topics', '--shift-by', '-3');
    await reset([[0, 0], [1, 0]], '--all-topics', '--shift-by', '-5');
    await reset([[0, 10], [1, 6]], '--all-topics', '--shift-by', '100');
    await reset([[0, 5], [1, 5]], '--all-topics', '--to-datetime', '2024-01-01T00:05:00Z');
    await reset([[0, 8], [1, 6]], '--topic', `${TOPIC}:0,1`, '--to-datetime', '2024-01-01T02:07:30.000+02:00');
  });

  test('delete, then list no longer shows it; unknown groups are named', async () => {
    const deleted = await groups('delete', GROUP);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, `Deleted consumer group ${GROUP}.\n`);
    const listed = await groups('list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, '');

    for (const args of [['describe', 'nope'], ['delete', 'nope']]) {
      const r = await groups(...args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, 'tributary: consumer group nope does not exist\n');
    }
    const unknownTopic = await groups('reset-offsets', 'fresh', '--topic', 'missing', '--to-latest');
    assert.equal(unknownTopic.code, 1);
    assert.equal(unknownTopic.stderr, 'tributary: unknown topic missing\n');
  });
});

/** Runs main in-process with captured streams: usage errors and --help never touch the network. */
async function runInProcess(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const code = await main(argv, { stdin: new PassThrough(), stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

test('groups usage errors exit 2 before connecting; --help for each subcommand', async () => {
  const unreachable = ['--bootstrap-server', '127.0.0.1:1'];
  for (const args of [
    ['reset-offsets', 'g', '--all-topics'],
    ['reset-offsets', 'g', '--all-topics', '--to-earliest', '--to-latest'],
    ['reset-offsets', 'g', '--to-earliest'],
    ['reset-offsets', 'g', '--all-topics', '--topic', 't', '--to-earliest'],
    ['reset-offsets', 'g', '--all-topics', '--to-datetime', 'yesterday'],
    ['reset-offsets', 'g', '--all-topics', '--shift-by', 'x'],
    ['reset-offsets', 'g', '--all-topics', '--to-latest', '--execute', '--dry-run'],
    ['list', '--state', 'Sleeping'],
    ['describe'],
    ['frobnicate'],
    [],
  ]) {
    const r = await runInProcess(['groups', ...args, ...unreachable]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^tributary: .*\nRun 'tributary groups --help' for usage\.\n$/);
  }
  for (const [sub, option] of [['list', '--state'], ['describe', 'GROUP'], ['reset-offsets', '--shift-by'], ['delete', 'GROUP']]) {
    const r = await runInProcess(['groups', sub!, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(option!), `${sub} --help mentions ${option}`);
  }
  const family = await runCli(['groups', '--help']);
  assert.equal(family.code, 0, family.stderr);
  assert.match(family.stdout, /^ {2}tributary groups reset-offsets GROUP /m);
});
