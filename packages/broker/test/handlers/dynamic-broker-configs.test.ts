import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlterConfigsApi, DescribeConfigsApi, IncrementalAlterConfigsApi } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker, type TestBroker } from '../test-client.ts';

const TOPIC = 2;
const BROKER = 4;
const [SET, DELETE, APPEND] = [0, 1, 2];
const [DYNAMIC_TOPIC, DYNAMIC_BROKER, DYNAMIC_DEFAULT, STATIC, DEFAULT] = [1, 2, 3, 4, 5];
const INVALID_REQUEST = 42;

async function alterBroker(c: TestClient, name: string, configs: Record<string, string>) {
  const res = await c.request(AlterConfigsApi, 1, {
    resources: [{ resourceType: BROKER, resourceName: name, configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })) }],
    validateOnly: false,
  });
  return res.responses[0]!;
}

async function incrementalBroker(c: TestClient, name: string, configs: { name: string; configOperation: number; value: string | null }[]) {
  const res = await c.request(IncrementalAlterConfigsApi, 1, { resources: [{ resourceType: BROKER, resourceName: name, configs }], validateOnly: false });
  return res.responses[0]!;
}

async function describe(c: TestClient, resourceType: number, resourceName: string, key: string) {
  const res = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType, resourceName, configurationKeys: [key] }], includeSynonyms: true });
  assert.equal(res.results[0]!.errorCode, 0);
  const e = res.results[0]!.configs.find((x) => x.name === key);
  return e === undefined ? undefined : { value: e.value, source: e.configSource, synonyms: e.synonyms!.map((s) => [s.name, s.value, s.source]) };
}

async function createTopic(tb: TestBroker, name: string, configs: Record<string, string> = {}): Promise<void> {
  assert.ok((await tb.broker.context.topics.createTopic({ name, numPartitions: 2, configs })).ok);
}

function logConfigs(tb: TestBroker, topic: string) {
  return [0, 1].map((p) => tb.broker.context.replicas.partition(topic, p)!.log.config);
}

test('cluster-wide log.retention.ms reaches topics without an override, their open logs and new topics', () =>
  withBroker({ 'log.retention.hours': '1' }, async (tb) => {
    await createTopic(tb, 'plain');
    await createTopic(tb, 'own', { 'retention.ms': '5000' });
    const c = await TestClient.connect(tb.port);
    assert.equal((await alterBroker(c, '', { 'log.retention.ms': '60000' })).errorCode, 0);

    const plain = await describe(c, TOPIC, 'plain', 'retention.ms');
    assert.deepEqual([plain!.value, plain!.source], ['60000', DYNAMIC_DEFAULT]);
    assert.deepEqual(plain!.synonyms, [
      ['log.retention.ms', '60000', DYNAMIC_DEFAULT], ['log.retention.hours', '1', STATIC], ['log.retention.hours', '168', DEFAULT],
    ]);
    for (const cfg of logConfigs(tb, 'plain')) assert.equal(cfg.retentionMs, 60000);

    const own = await describe(c, TOPIC, 'own', 'retention.ms');
    assert.deepEqual([own!.value, own!.source, own!.synonyms[0]], ['5000', DYNAMIC_TOPIC, ['retention.ms', '5000', DYNAMIC_TOPIC]]);
    assert.deepEqual(own!.synonyms[1], ['log.retention.ms', '60000', DYNAMIC_DEFAULT]);
    for (const cfg of logConfigs(tb, 'own')) assert.equal(cfg.retentionMs, 5000);

    await createTopic(tb, 'later');
    for (const cfg of logConfigs(tb, 'later')) assert.equal(cfg.retentionMs, 60000);

    const brokerEntry = await describe(c, BROKER, '0', 'log.retention.ms');
    assert.deepEqual([brokerEntry!.value, brokerEntry!.source], ['60000', DYNAMIC_DEFAULT]);
    const defaultEntry = await describe(c, BROKER, '', 'log.retention.ms');
    assert.deepEqual([defaultEntry!.value, defaultEntry!.source], ['60000', DYNAMIC_DEFAULT]);
    c.close();
  }));

test('a per-broker value beats the cluster-wide one; deleting each falls back a level, down to the static value', () =>
  withBroker({ 'log.retention.hours': '1' }, async (tb) => {
    await createTopic(tb, 't');
    const c = await TestClient.connect(tb.port);
    assert.equal((await alterBroker(c, '', { 'log.retention.ms': '60000' })).errorCode, 0);
    assert.equal((await incrementalBroker(c, '0', [{ name: 'log.retention.ms', configOperation: SET, value: '120000' }])).errorCode, 0);
    const both = await describe(c, TOPIC, 't', 'retention.ms');
    assert.deepEqual([both!.value, both!.source], ['120000', DYNAMIC_BROKER]);
    assert.deepEqual(both!.synonyms.slice(0, 2), [['log.retention.ms', '120000', DYNAMIC_BROKER], ['log.retention.ms', '60000', DYNAMIC_DEFAULT]]);
    assert.equal(logConfigs(tb, 't')[0]!.retentionMs, 120000);
    assert.deepEqual((await describe(c, BROKER, '0', 'log.retention.ms'))!.source, DYNAMIC_BROKER);
    // The '' resource describes only the cluster-wide layer.
    assert.deepEqual((await describe(c, BROKER, '', 'log.retention.ms'))!.value, '60000');

    assert.equal((await incrementalBroker(c, '0', [{ name: 'log.retention.ms', configOperation: DELETE, value: null }])).errorCode, 0);
    assert.deepEqual(tb.broker.context.store.brokerConfigOverrides(0), {});
    const afterDelete = await describe(c, TOPIC, 't', 'retention.ms');
    assert.deepEqual([afterDelete!.value, afterDelete!.source], ['60000', DYNAMIC_DEFAULT]);
    assert.equal(logConfigs(tb, 't')[1]!.retentionMs, 60000);

    assert.equal((await alterBroker(c, '', {})).errorCode, 0);
    const back = await describe(c, TOPIC, 't', 'retention.ms');
    assert.deepEqual([back!.value, back!.source], ['3600000', STATIC]);
    for (const cfg of logConfigs(tb, 't')) assert.equal(cfg.retentionMs, 3600000);
    assert.equal(await describe(c, BROKER, '', 'log.retention.ms'), undefined);
    c.close();
  }));

test('dynamic broker configs survive a restart and apply to the logs opened at startup', () => withBroker({}, async (tb) => {
  await createTopic(tb, 't');
  let c = await TestClient.connect(tb.port);
  assert.equal((await alterBroker(c, '', { 'log.segment.bytes': '1048576' })).errorCode, 0);
  assert.equal((await alterBroker(c, '0', { 'message.max.bytes': '4096' })).errorCode, 0);
  c.close();
  await tb.restart();
  for (const cfg of logConfigs(tb, 't')) assert.equal(cfg.segmentBytes, 1048576);
  assert.equal(tb.broker.context.replicas.topicConfig('t')!.maxMessageBytes, 4096);
  c = await TestClient.connect(tb.port);
  const seg = await describe(c, TOPIC, 't', 'segment.bytes');
  assert.deepEqual([seg!.value, seg!.source], ['1048576', DYNAMIC_DEFAULT]);
  const max = await describe(c, BROKER, '0', 'message.max.bytes');
  assert.deepEqual([max!.value, max!.source, max!.synonyms.map((s) => s[2])], ['4096', DYNAMIC_BROKER, [DYNAMIC_BROKER, DEFAULT]]);
  c.close();
}));

test('read-only broker keys are INVALID_REQUEST naming the key, and nothing is stored', () => withBroker({}, async (tb) => {
  const c = await TestClient.connect(tb.port);
  for (const key of ['num.partitions', 'auto.create.topics.enable', 'log.retention.hours', 'listeners', 'broker.id']) {
    for (const name of ['0', '']) {
      const r = await alterBroker(c, name, { 'log.retention.ms': '1000', [key]: key === 'auto.create.topics.enable' ? 'false' : '3' });
      assert.equal(r.errorCode, INVALID_REQUEST, `${key} on '${name}'`);
      assert.equal(r.errorMessage, `Cannot update these configs dynamically: ${key}`);
    }
  }
  const inc = await incrementalBroker(c, '0', [{ name: 'num.partitions', configOperation: SET, value: '4' }]);
  assert.equal(inc.errorCode, INVALID_REQUEST);
  assert.match(inc.errorMessage!, /num\.partitions/);
  assert.deepEqual([tb.broker.context.store.brokerConfigOverrides(0), tb.broker.context.store.brokerConfigOverrides(null)], [{}, {}]);
  assert.equal(tb.broker.config.retentionMs, 7 * 24 * 3_600_000);
  c.close();
}));

test('IncrementalAlterConfigs APPEND on a broker list config starts from the effective value and reaches topics', () =>
  withBroker({}, async (tb) => {
    await createTopic(tb, 't');
    const c = await TestClient.connect(tb.port);
    assert.equal((await incrementalBroker(c, '', [{ name: 'log.cleanup.policy', configOperation: APPEND, value: 'compact' }])).errorCode, 0);
    assert.deepEqual(tb.broker.context.store.brokerConfigOverrides(null), { 'log.cleanup.policy': 'delete,compact' });
    assert.equal(tb.broker.context.replicas.topicConfig('t')!.compacted, true);
    c.close();
  }));
