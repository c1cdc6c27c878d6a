import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseBrokerConfig, parseZooKeeperConnect, BROKER_CONFIGS } from '../../src/config/index.ts';

test('defaults follow Kafka names and values', () => {
  const c = parseBrokerConfig({});
  assert.equal(c.brokerId, 0);
  assert.deepEqual(c.listeners, [{ name: 'PLAINTEXT', host: '', port: 9092 }]);
  assert.equal(c.advertisedListeners, null);
  assert.deepEqual(c.logDirs, ['./data']);
  assert.equal(c.int('num.partitions'), 1);
  assert.equal(c.int('message.max.bytes'), 1048588);
  assert.equal(c.requestBytesMax, 104857600);
  assert.equal(c.int('queued.max.requests'), 500);
  assert.equal(c.inflightRequestsMax, 100);
  assert.equal(c.retentionMs, 168 * 3_600_000);
  assert.equal(c.bool('auto.create.topics.enable'), true);
  assert.equal(c.explicit.size, 0);
});

test('every definition has documentation and a known update mode', () => {
  for (const d of BROKER_CONFIGS) {
    assert.ok(d.doc.length > 0, d.name);
    assert.ok(['read-only', 'per-broker', 'cluster-wide'].includes(d.updateMode), d.name);
  }
});

test('unknown key is an error naming the key', () => {
  assert.throws(() => parseBrokerConfig({ 'log.retention.hourz': '1' }), (e: unknown) =>
    e instanceof ConfigError && e.code === 'UNKNOWN_CONFIG' && e.message.includes('log.retention.hourz'));
});

test('bad values are INVALID_CONFIG naming the key', () => {
  const bad: Record<string, string> = {
    'num.partitions': '0', 'broker.id': 'abc', 'auto.create.topics.enable': 'yes',
    'log.cleanup.policy': 'delete,shred', 'compression.type': 'brotli', 'listeners': 'PLAINTEXT://nohost',
    'log.segment.bytes': '10', 'log.message.timestamp.type': 'Now',
  };
  for (const [k, v] of Object.entries(bad)) {
    assert.throws(() => parseBrokerConfig({ [k]: v }), (e: unknown) =>
      e instanceof ConfigError && e.code === 'INVALID_CONFIG' && e.message.includes(k), k);
  }
});

test('zookeeper.connect enables cluster mode and is checked for host:port[,...][/chroot]', () => {
  assert.equal(parseBrokerConfig({ 'zookeeper.connect': 'localhost:2181,127.0.0.1:2182/tributary' }).string('zookeeper.connect'),
    'localhost:2181,127.0.0.1:2182/tributary');
  assert.equal(parseBrokerConfig({}).int('zookeeper.session.timeout.ms'), 6000);
  assert.throws(() => parseBrokerConfig({ 'zookeeper.connect': 'localhost' }), /zookeeper.connect/);
  assert.deepEqual(parseZooKeeperConnect('a:1,b:2/x/y/'), { hosts: 'a:1,b:2', chroot: '/x/y' });
  assert.deepEqual(parseZooKeeperConnect('a:1'), { hosts: 'a:1', chroot: null });
});

test('retention resolves ms over minutes over hours', () => {
  assert.equal(parseBrokerConfig({ 'log.retention.hours': '1' }).retentionMs, 3_600_000);
  assert.equal(parseBrokerConfig({ 'log.retention.hours': '1', 'log.retention.minutes': '2' }).retentionMs, 120_000);
  assert.equal(parseBrokerConfig({ 'log.retention.minutes': '2', 'log.retention.ms': '5' }).retentionMs, 5);
  assert.equal(parseBrokerConfig({ 'log.retention.ms': '-1' }).retentionMs, -1);
});

test('listeners and log.dirs parse', () => {
  const c = parseBrokerConfig({
    listeners: 'PLAINTEXT://127.0.0.1:0', 'advertised.listeners': 'PLAINTEXT://example.com:19092', 'log.dirs': '/a,/b',
  });
  assert.deepEqual(c.listeners, [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }]);
  assert.deepEqual(c.advertisedListeners, [{ name: 'PLAINTEXT', host: 'example.com', port: 19092 }]);
  assert.deepEqual(c.logDirs, ['/a', '/b']);
  assert.throws(() => parseBrokerConfig({ listeners: 'SSL://:9093' }), /not supported/);
});

test('Long.MAX_VALUE defaults parse', () => {
  const c = parseBrokerConfig({ 'log.flush.interval.messages': '9223372036854775807' });
  assert.ok(c.int('log.flush.interval.messages') > Number.MAX_SAFE_INTEGER);
});

test('dynamic overrides layer per-broker over cluster-wide over static over default', () => {
  const c = parseBrokerConfig({ 'log.retention.hours': '1', 'log.segment.bytes': '2048' });
  assert.equal(c.retentionMs, 3_600_000);
  c.applyDynamicOverrides({ 'log.retention.ms': '2000' }, { 'log.retention.ms': '1000', 'log.segment.bytes': '4096' });
  assert.deepEqual([c.retentionMs, c.int('log.segment.bytes')], [2000, 4096]);
  assert.deepEqual(c.synonyms('log.retention.ms').map((s) => [s.name, s.value, s.source]), [
    ['log.retention.ms', '2000', 2], ['log.retention.ms', '1000', 3], ['log.retention.hours', '1', 4], ['log.retention.hours', '168', 5],
  ]);
  assert.deepEqual(c.synonyms('log.retention.ms', false).map((s) => s.source), [3, 4, 5]);
  assert.equal(c.textBelow('log.segment.bytes', 0), '4096');
  assert.equal(c.textBelow('log.segment.bytes', null), '2048');
  c.applyDynamicOverrides({}, {});
  assert.deepEqual([c.retentionMs, c.int('log.segment.bytes')], [3_600_000, 2048]);
});

test('stored dynamic overrides that are no longer allowed are ignored and reported', () => {
  const c = parseBrokerConfig({});
  const ignored = c.applyDynamicOverrides({ 'num.partitions': '9', 'log.retention.ms': 'x' }, { 'no.such.key': '1', 'message.max.bytes': '100' });
  assert.deepEqual(ignored.map((i) => [i.brokerId, i.key]), [[null, 'no.such.key'], [0, 'num.partitions'], [0, 'log.retention.ms']]);
  assert.deepEqual([c.int('num.partitions'), c.int('message.max.bytes')], [1, 100]);
});

test('update modes follow Kafka: topic defaults are dynamic, restart-only keys are read-only', () => {
  const mode = new Map(BROKER_CONFIGS.map((d) => [d.name, d.updateMode]));
  for (const k of ['log.retention.ms', 'log.retention.bytes', 'log.segment.bytes', 'log.roll.ms', 'log.flush.interval.messages',
    'log.flush.interval.ms', 'log.cleanup.policy', 'log.message.timestamp.type', 'message.max.bytes', 'compression.type',
    'min.insync.replicas', 'unclean.leader.election.enable']) assert.equal(mode.get(k), 'cluster-wide', k);
  for (const k of ['num.partitions', 'default.replication.factor', 'auto.create.topics.enable', 'log.retention.hours',
    'log.retention.minutes', 'log.roll.hours', 'log.dirs', 'broker.id', 'socket.send.buffer.bytes']) assert.equal(mode.get(k), 'read-only', k);
});
