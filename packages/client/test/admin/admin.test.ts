import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AlterConfigsApi, ApiVersionsApi, CreateTopicsApi, DescribeConfigsApi, IncrementalAlterConfigsApi, MetadataApi,
} from '@tributary/protocol/generated/index.ts';
import type { AlterConfigsRequest, CreateTopicsRequest, IncrementalAlterConfigsRequest } from '@tributary/protocol/generated/index.ts';
import { Admin } from '../../src/admin/admin.ts';
import { KafkaError } from '../../src/kafka-errors.ts';
import { FakeBroker, type FakeRequest } from '../network/fake-broker.ts';

/** A fake controller; `incremental` decides whether IncrementalAlterConfigs is advertised. */
async function withController(incremental: boolean, handle: (req: FakeRequest) => void, fn: (admin: Admin) => Promise<void>): Promise<void> {
  const broker = await new FakeBroker().start();
  broker.onRequest = (req) => {
    const key = req.header.requestApiKey;
    if (key === 18) {
      const keys = [[3, 1, 12], [18, 0, 3], [19, 0, 7], [32, 0, 4], [33, 0, 2], ...(incremental ? [[44, 0, 1]] : [])];
      req.reply(ApiVersionsApi, { errorCode: 0, apiKeys: keys.map(([apiKey, minVersion, maxVersion]) => ({ apiKey: apiKey!, minVersion: minVersion!, maxVersion: maxVersion! })) });
    } else if (key === 3) {
      req.reply(MetadataApi, { brokers: [{ nodeId: 7, host: '127.0.0.1', port: broker.port }], controllerId: 7, clusterId: 'x', topics: [] });
    } else handle(req);
  };
  const admin = new Admin({ bootstrapServers: `127.0.0.1:${broker.port}` });
  try {
    await admin.connect();
    await fn(admin);
  } finally {
    await admin.close();
    await broker.close();
  }
}

test('createTopics sends the topic spec and surfaces errors as KafkaError with the broker message', async () => {
  let seen: CreateTopicsRequest | null = null;
  await withController(true, (req) => {
    seen = req.body as CreateTopicsRequest;
    req.reply(CreateTopicsApi, { topics: [{ name: 't', errorCode: 36, errorMessage: 'Topic t already exists.', readOnly: false } as never] });
  }, async (admin) => {
    await assert.rejects(admin.createTopics([{ topic: 't', numPartitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } }], { validateOnly: true }),
      (e: unknown) => e instanceof KafkaError && e.code === 36 && /already exists/.test(e.message));
  });
  const req = seen! as CreateTopicsRequest;
  assert.equal(req.validateOnly, true);
  assert.deepEqual(req.topics[0]!.configs, [{ name: 'cleanup.policy', value: 'compact' }]);
  assert.equal(req.topics[0]!.numPartitions, 3);
});

test('describeConfigs reports source and default flags', async () => {
  await withController(true, (req) => {
    req.reply(DescribeConfigsApi, { throttleTimeMs: 0, results: [{ errorCode: 0, resourceType: 2, resourceName: 't', configs: [
      { name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false },
      { name: 'segment.bytes', value: '1073741824', readOnly: false, configSource: 5, isSensitive: false },
    ] }] });
  }, async (admin) => {
    const [d] = await admin.describeConfigs([{ type: 'topic', name: 't' }]);
    assert.deepEqual(d!.configs.map((c) => [c.name, c.source, c.isDefault]), [
      ['retention.ms', 'DYNAMIC_TOPIC_CONFIG', false], ['segment.bytes', 'DEFAULT_CONFIG', true],
    ]);
  });
});

test('alterConfigs uses IncrementalAlterConfigs set/delete when offered', async () => {
  let seen: IncrementalAlterConfigsRequest | null = null;
  await withController(true, (req) => {
    seen = req.body as IncrementalAlterConfigsRequest;
    req.reply(IncrementalAlterConfigsApi, { throttleTimeMs: 0, responses: [{ errorCode: 0, resourceType: 2, resourceName: 't' }] });
  }, async (admin) => {
    await admin.alterConfigs([{ type: 'topic', name: 't', set: { 'retention.ms': '5' }, delete: ['segment.ms'] }]);
  });
  assert.deepEqual((seen! as IncrementalAlterConfigsRequest).resources[0]!.configs.map((c) => [c.name, c.configOperation, c.value ?? null]), [['retention.ms', 0, '5'], ['segment.ms', 1, null]]);
});

test('alterConfigs falls back to AlterConfigs, merging the topic\'s own dynamic values only', async () => {
  let seen: AlterConfigsRequest | null = null;
  await withController(false, (req) => {
    if (req.header.requestApiKey === 32) {
      req.reply(DescribeConfigsApi, { throttleTimeMs: 0, results: [{ errorCode: 0, resourceType: 2, resourceName: 't', configs: [
        { name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false },
        { name: 'segment.ms', value: '99', readOnly: false, configSource: 1, isSensitive: false },
        { name: 'segment.bytes', value: '1', readOnly: false, configSource: 5, isSensitive: false },
        // inherited from a cluster-wide dynamic broker config: not the topic's to replace
        { name: 'max.message.bytes', value: '2048', readOnly: false, configSource: 3, isSensitive: false },
      ] }] });
      return;
    }
    seen = req.body as AlterConfigsRequest;
    req.reply(AlterConfigsApi, { throttleTimeMs: 0, responses: [{ errorCode: 0, resourceType: 2, resourceName: 't' }] });
  }, async (admin) => {
    await admin.alterConfigs([{ type: 'topic', name: 't', set: { 'cleanup.policy': 'compact' }, delete: ['segment.ms'] }]);
  });
  assert.deepEqual((seen! as AlterConfigsRequest).resources[0]!.configs, [{ name: 'retention.ms', value: '1000' }, { name: 'cleanup.policy', value: 'compact' }]);
});
