import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlterConfigsApi, DescribeConfigsApi, IncrementalAlterConfigsApi } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker, type TestBroker } from '../test-client.ts';

const TOPIC = 2;
const BROKER = 4;
const [SET, DELETE, APPEND, SUBTRACT] = [0, 1, 2, 3];

async function describeTopic(c: TestClient, keys: string[]) {
  const res = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: TOPIC, resourceName: 't', configurationKeys: keys }] });
  assert.equal(res.results[0]!.errorCode, 0);
  return new Map(res.results[0]!.configs.map((x) => [x.name, { value: x.value, source: x.configSource }]));
}

async function withTopic(tb: TestBroker, configs: Record<string, string> = {}): Promise<TestClient> {
  assert.ok((await tb.broker.context.topics.createTopic({ name: 't', numPartitions: 2, configs })).ok);
  return TestClient.connect(tb.port);
}

function alter(c: TestClient, version: number, configs: { name: string; value: string | null }[], validateOnly = false) {
  return c.request(AlterConfigsApi, version, { resources: [{ resourceType: TOPIC, resourceName: 't', configs }], validateOnly });
}

function incremental(c: TestClient, version: number, configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) {
  return c.request(IncrementalAlterConfigsApi, version, { resources: [{ resourceType: TOPIC, resourceName: 't', configs }], validateOnly });
}

test('AlterConfigs v0 replaces the whole override set and reaches the open logs', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb, { 'segment.bytes': '1048576' });
  const res = await alter(c, 0, [{ name: 'retention.ms', value: '60000' }]);
  assert.deepEqual(res.responses[0], { errorCode: 0, errorMessage: null, resourceType: TOPIC, resourceName: 't' });
  assert.deepEqual(tb.broker.context.store.topicConfig('t')!.configs, { 'retention.ms': '60000' });
  for (const p of [0, 1]) {
    const log = tb.broker.context.replicas.partition('t', p)!.log;
    assert.deepEqual([log.config.retentionMs, log.config.segmentBytes], [60000, 1073741824]);
  }
  c.close();
}));

test('AlterConfigs v2 change is reported as DYNAMIC_TOPIC_CONFIG and survives a restart', () => withBroker({}, async (tb) => {
  let c = await withTopic(tb);
  assert.equal((await alter(c, 2, [{ name: 'max.message.bytes', value: '2048' }])).responses[0]!.errorCode, 0);
  assert.deepEqual((await describeTopic(c, ['max.message.bytes'])).get('max.message.bytes'), { value: '2048', source: 1 });
  c.close();
  await tb.restart();
  c = await TestClient.connect(tb.port);
  assert.deepEqual((await describeTopic(c, ['max.message.bytes'])).get('max.message.bytes'), { value: '2048', source: 1 });
  assert.equal(tb.broker.context.replicas.topicConfig('t')!.maxMessageBytes, 2048);
  c.close();
}));

test('AlterConfigs validateOnly changes nothing', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb, { 'retention.ms': '1000' });
  assert.equal((await alter(c, 1, [{ name: 'retention.ms', value: '2000' }], true)).responses[0]!.errorCode, 0);
  assert.deepEqual(tb.broker.context.store.topicConfig('t')!.configs, { 'retention.ms': '1000' });
  c.close();
}));

test('AlterConfigs with an unknown key gives INVALID_CONFIG naming it', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb);
  const res = await alter(c, 1, [{ name: 'retention.msx', value: '1' }]);
  assert.equal(res.responses[0]!.errorCode, 40);
  assert.match(res.responses[0]!.errorMessage!, /retention\.msx/);
  c.close();
}));

test('AlterConfigs with a bad value gives INVALID_CONFIG naming the key and keeps the old set', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb, { 'retention.ms': '1000' });
  const res = await alter(c, 2, [{ name: 'segment.bytes', value: 'big' }]);
  assert.equal(res.responses[0]!.errorCode, 40);
  assert.match(res.responses[0]!.errorMessage!, /segment\.bytes/);
  assert.deepEqual(tb.broker.context.store.topicConfig('t')!.configs, { 'retention.ms': '1000' });
  c.close();
}));

test('AlterConfigs on an unknown topic gives UNKNOWN_TOPIC_OR_PARTITION', () => withBroker({}, async (tb) => {
  const c = await TestClient.connect(tb.port);
  assert.equal((await alter(c, 0, [{ name: 'retention.ms', value: '1' }])).responses[0]!.errorCode, 3);
  c.close();
}));

test('AlterConfigs on the broker stores dynamic keys and rejects read-only ones', () => withBroker({}, async (tb) => {
  const c = await TestClient.connect(tb.port);
  const ok = await c.request(AlterConfigsApi, 1, { resources: [{ resourceType: BROKER, resourceName: '0', configs: [{ name: 'log.retention.bytes', value: '1000' }] }], validateOnly: false });
  assert.equal(ok.responses[0]!.errorCode, 0);
  const ro = await c.request(AlterConfigsApi, 1, { resources: [{ resourceType: BROKER, resourceName: '0', configs: [{ name: 'broker.id', value: '3' }] }], validateOnly: false });
  assert.equal(ro.responses[0]!.errorCode, 42);
  assert.match(ro.responses[0]!.errorMessage!, /broker\.id/);
  await tb.restart();
  const c2 = await TestClient.connect(tb.port);
  const res = await c2.request(DescribeConfigsApi, 4, { resources: [{ resourceType: BROKER, resourceName: '0', configurationKeys: ['log.retention.bytes'] }] });
  const e = res.results[0]!.configs[0]!;
  assert.deepEqual([e.value, e.configSource], ['1000', 2]);
  c.close();
  c2.close();
}));

test('IncrementalAlterConfigs v0 SET and DELETE edit single keys', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb, { 'retention.ms': '1000', 'segment.bytes': '1048576' });
  const res = await incremental(c, 0, [{ name: 'retention.ms', configOperation: DELETE, value: null }, { name: 'flush.messages', configOperation: SET, value: '10' }]);
  assert.equal(res.responses[0]!.errorCode, 0);
  assert.deepEqual(tb.broker.context.store.topicConfig('t')!.configs, { 'segment.bytes': '1048576', 'flush.messages': '10' });
  const described = await describeTopic(c, ['retention.ms', 'flush.messages']);
  assert.deepEqual(described.get('retention.ms')!.source, 5);
  assert.deepEqual(described.get('flush.messages'), { value: '10', source: 1 });
  assert.equal(tb.broker.context.replicas.partition('t', 0)!.log.config.flushMessages, 10);
  c.close();
}));

test('IncrementalAlterConfigs v1 APPEND and SUBTRACT edit list configs', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb);
  assert.equal((await incremental(c, 1, [{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])).responses[0]!.errorCode, 0);
  assert.equal(tb.broker.context.store.topicConfig('t')!.configs['cleanup.policy'], 'delete,compact');
  assert.equal((await incremental(c, 1, [{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }])).responses[0]!.errorCode, 0);
  assert.equal(tb.broker.context.store.topicConfig('t')!.configs['cleanup.policy'], 'compact');
  assert.equal(tb.broker.context.replicas.topicConfig('t')!.compacted, true);
  const notList = await incremental(c, 1, [{ name: 'retention.ms', configOperation: APPEND, value: '5' }]);
  assert.equal(notList.responses[0]!.errorCode, 40);
  c.close();
}));

test('IncrementalAlterConfigs validateOnly and invalid values change nothing', () => withBroker({}, async (tb) => {
  const c = await withTopic(tb);
  assert.equal((await incremental(c, 1, [{ name: 'retention.ms', configOperation: SET, value: '5' }], true)).responses[0]!.errorCode, 0);
  const bad = await incremental(c, 1, [{ name: 'min.insync.replicas', configOperation: SET, value: '0' }]);
  assert.equal(bad.responses[0]!.errorCode, 40);
  assert.match(bad.responses[0]!.errorMessage!, /min\.insync\.replicas/);
  const unknownOp = await incremental(c, 1, [{ name: 'retention.ms', configOperation: 9, value: '5' }]);
  assert.equal(unknownOp.responses[0]!.errorCode, 42);
  assert.deepEqual(tb.broker.context.store.topicConfig('t')!.configs, {});
  c.close();
}));
