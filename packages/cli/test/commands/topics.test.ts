/** End to end: `tributary topics ...` child processes against a `tributary start` child process. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { killIfRunning, runCli, startBrokerProcess, tempDir, type RunningBroker } from '../helpers.ts';

describe('tributary topics', () => {
  const dir = tempDir('topics');
  let broker: RunningBroker | undefined;
  const topics = (...args: string[]) => runCli(['topics', ...args, '--bootstrap-server', broker!.bootstrap]);

  before(async () => { broker = await startBrokerProcess(dir.path); });
  after(async () => {
    killIfRunning(broker);
    await broker?.stop();
    dir.remove();
  });

  test('create, list, describe, alter, delete', async () => {
    const created = await topics('create', 'orders', '--partitions', '3', '--replication-factor', '1', '--config', 'retention.ms=60000', '--config', 'cleanup.policy=compact');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'Created topic orders.\n');
    assert.equal((await topics('create', 'audit')).code, 0);

    const listed = await topics('list');
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, 'audit\norders\n');

    const described = await topics('describe', 'orders');
    assert.equal(described.code, 0, described.stderr);
    const lines = described.stdout.split('\n');
    assert.match(lines[0]!, /^Topic: orders  TopicId: \S+  PartitionCount: 3  ReplicationFactor: 1$/);
    assert.match(lines[1]!, /^Configs: /);
    assert.deepEqual(lines[1]!.slice('Configs: '.length).split(',').sort(), ['cleanup.policy=compact', 'retention.ms=60000']);
    assert.deepEqual(lines.slice(2, 6).map((l) => l.trim().split(/\s+/)), [
      ['Partition', 'Leader', 'Replicas', 'Isr'], ['0', '0', '0', '0'], ['1', '0', '0', '0'], ['2', '0', '0', '0'],
    ]);
    assert.equal(lines[2]!.indexOf('Leader'), lines[3]!.indexOf('0', 3), 'columns are aligned');

    const altered = await topics('alter', 'orders', '--partitions', '5', '--config', 'retention.ms=120000', '--delete-config', 'cleanup.policy');
    assert.equal(altered.code, 0, altered.stderr);
    assert.match(altered.stdout, /partitions 3 -> 5/);
    const after = await topics('describe', 'orders');
    assert.match(after.stdout, /PartitionCount: 5/);
    assert.match(after.stdout, /^Configs: retention\.ms=120000$/m);

    const all = await topics('describe');
    assert.match(all.stdout, /^Topic: audit .*\nConfigs: \(none\)$/m);
    assert.match(all.stdout, /^Topic: orders /m);

    const deleted = await topics('delete', 'audit');
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'Deleted topic audit.\n');
    assert.equal((await topics('list')).stdout, 'orders\n');
  });

  test('errors: unknown topic, existing topic, shrinking, invalid topic config', async () => {
    const missing = await topics('delete', 'nope');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'tributary: unknown topic nope\n');
    assert.equal((await topics('describe', 'nope')).stderr, 'tributary: unknown topic nope\n');

    assert.equal((await topics('create', 'dup')).code, 0);
    const dup = await topics('create', 'dup');
    assert.equal(dup.code, 1);
    assert.equal(dup.stderr, 'tributary: topic dup already exists\n');

    const shrink = await topics('alter', 'dup', '--partitions', '1');
    assert.equal(shrink.code, 0, 'same count is no change');
    assert.match(shrink.stdout, /no change/);

    const badConfig = await topics('create', 'bad', '--config', 'retention.mss=1');
    assert.equal(badConfig.code, 1);
    assert.match(badConfig.stderr, /^tributary: .*retention\.mss/);
    assert.equal(badConfig.stderr.split('\n').length, 2, 'one line');
  });

  test('TRIBUTARY_BOOTSTRAP is used when --bootstrap-server is absent', async () => {
    const r = await runCli(['topics', 'list'], { env: { TRIBUTARY_BOOTSTRAP: broker!.bootstrap } });
    assert.equal(r.code, 0, r.stderr);
  });
});

test('connection refused names the address, exit 1', async () => {
  const r = await runCli(['topics', 'list', '--bootstrap-server', '127.0.0.1:1']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'tributary: cannot connect to broker at 127.0.0.1:1: connection refused\n');
});
