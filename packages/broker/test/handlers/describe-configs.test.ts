import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeConfigsApi, type DescribeConfigsResponse } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker } from '../test-client.ts';

const TOPIC = 2;
const BROKER = 4;

function entry(res: DescribeConfigsResponse, name: string) {
  const e = res.results[0]!.configs.find((c) => c.name === name);
  assert.ok(e !== undefined, `config ${name} reported`);
  return e;
}

test('DescribeConfigs v0 on a topic reports every config with isDefault', () => withBroker({}, async ({ port, broker }) => {
  assert.ok((await broker.context.topics.createTopic({ name: 't', configs: { 'retention.ms': '5000' } })).ok);
  const c = await TestClient.connect(port);
  const res = await c.request(DescribeConfigsApi, 0, { resources: [{ resourceType: TOPIC, resourceName: 't', configurationKeys: null }] });
  assert.equal(res.results[0]!.errorCode, 0);
  assert.ok(res.results[0]!.configs.length >= 20);
  assert.deepEqual([entry(res, 'retention.ms').value, entry(res, 'retention.ms').isDefault], ['5000', false]);
  assert.deepEqual([entry(res, 'cleanup.policy').value, entry(res, 'cleanup.policy').isDefault], ['delete', true]);
  c.close();
}));

test('DescribeConfigs v4 reports sources, synonyms, types and documentation, filtered by key', () => withBroker({ 'log.retention.hours': '1' }, async ({ port, broker }) => {
  assert.ok((await broker.context.topics.createTopic({ name: 't', configs: { 'segment.bytes': '1048576' } })).ok);
  const c = await TestClient.connect(port);
  const res = await c.request(DescribeConfigsApi, 4, {
    resources: [{ resourceType: TOPIC, resourceName: 't', configurationKeys: ['segment.bytes', 'retention.ms', 'cleanup.policy', 'nope'] }],
    includeSynonyms: true, includeDocumentation: true,
  });
  const configs = res.results[0]!.configs;
  assert.deepEqual(configs.map((x) => x.name).sort(), ['cleanup.policy', 'retention.ms', 'segment.bytes']);
  const seg = entry(res, 'segment.bytes');
  assert.deepEqual([seg.value, seg.configSource, seg.configType], ['1048576', 1, 3]);
  assert.deepEqual(seg.synonyms!.map((s) => [s.name, s.source]), [['segment.bytes', 1], ['log.segment.bytes', 5]]);
  const ret = entry(res, 'retention.ms');
  assert.deepEqual([ret.value, ret.configSource, ret.configType], ['3600000', 4, 5]);
  assert.deepEqual(ret.synonyms!.map((s) => [s.name, s.value, s.source]), [['log.retention.hours', '1', 4], ['log.retention.hours', '168', 5]]);
  assert.equal(entry(res, 'cleanup.policy').configType, 7);
  assert.ok(typeof seg.documentation === 'string' && seg.documentation.length > 0);
  c.close();
}));

test('DescribeConfigs without includeSynonyms or documentation leaves them out', () => withBroker({}, async ({ port, broker }) => {
  assert.ok((await broker.context.topics.createTopic({ name: 't' })).ok);
  const c = await TestClient.connect(port);
  const res = await c.request(DescribeConfigsApi, 3, { resources: [{ resourceType: TOPIC, resourceName: 't', configurationKeys: ['retention.ms'] }] });
  assert.deepEqual(entry(res, 'retention.ms').synonyms, []);
  assert.equal(entry(res, 'retention.ms').documentation, null);
  c.close();
}));

test('DescribeConfigs on this broker reports static and default sources; read-only keys are marked', () => withBroker({ 'num.partitions': '3' }, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(DescribeConfigsApi, 2, { resources: [{ resourceType: BROKER, resourceName: '0', configurationKeys: null }], includeSynonyms: true });
  assert.equal(res.results[0]!.errorCode, 0);
  const np = entry(res, 'num.partitions');
  assert.deepEqual([np.value, np.configSource, np.readOnly], ['3', 4, true]);
  assert.deepEqual(np.synonyms!.map((s) => [s.value, s.source]), [['3', 4], ['1', 5]]);
  const seg = entry(res, 'log.segment.bytes');
  assert.deepEqual([seg.value, seg.configSource, seg.readOnly], ['1073741824', 5, false]);
  c.close();
}));

test('DescribeConfigs on another broker id gives INVALID_REQUEST; the default resource is empty', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(DescribeConfigsApi, 1, {
    resources: [{ resourceType: BROKER, resourceName: '7', configurationKeys: null }, { resourceType: BROKER, resourceName: '', configurationKeys: null }],
  });
  assert.equal(res.results[0]!.errorCode, 42);
  assert.deepEqual([res.results[1]!.errorCode, res.results[1]!.configs.length], [0, 0]);
  c.close();
}));

test('DescribeConfigs on an unknown topic gives UNKNOWN_TOPIC_OR_PARTITION', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(DescribeConfigsApi, 4, { resources: [{ resourceType: TOPIC, resourceName: 'missing', configurationKeys: null }] });
  assert.equal(res.results[0]!.errorCode, 3);
  assert.match(res.results[0]!.errorMessage!, /missing/);
  c.close();
}));
