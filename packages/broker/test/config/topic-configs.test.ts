import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigSource, describeTopicConfigs, parseBrokerConfig, TopicConfig, topicLogConfig, TOPIC_CONFIGS, validateTopicConfigs,
  BROKER_CONFIG_BY_NAME,
} from '../../src/config/index.ts';

test('every topic config has a broker synonym that exists', () => {
  for (const d of TOPIC_CONFIGS) if (d.brokerSynonym !== null) assert.ok(BROKER_CONFIG_BY_NAME.has(d.brokerSynonym), `${d.name} -> ${d.brokerSynonym}`);
});

test('topic defaults come from the broker log.* keys', () => {
  const b = parseBrokerConfig({ 'log.retention.hours': '2', 'message.max.bytes': '5000', 'log.segment.bytes': '1000000' });
  const t = new TopicConfig(b, {});
  assert.equal(t.int('retention.ms'), 7_200_000);
  assert.equal(t.maxMessageBytes, 5000);
  const lc = topicLogConfig(b, { 'segment.bytes': '2048' });
  assert.equal(lc.segmentBytes, 2048);
  assert.equal(lc.retentionMs, 7_200_000);
  assert.equal(lc.segmentMs, 168 * 3_600_000);
});

test('validateTopicConfigs names the key with INVALID_CONFIG 40', () => {
  assert.deepEqual(validateTopicConfigs([['retention.ms', '1000'], ['cleanup.policy', 'compact,delete']]), { ok: true });
  const bad = validateTopicConfigs([['retention.ms', 'soon']]);
  assert.equal(bad.ok, false);
  if (!bad.ok) { assert.equal(bad.errorCode, 40); assert.match(bad.message, /retention\.ms/); }
  const unknown = validateTopicConfigs([['retention.mss', '1']]);
  assert.equal(unknown.ok, false);
  if (!unknown.ok) assert.match(unknown.message, /retention\.mss/);
  assert.deepEqual(validateTopicConfigs([['retention.ms', null]]), { ok: true });
});

test('describe reports the source of each value', () => {
  const b = parseBrokerConfig({ 'log.retention.hours': '2' });
  const described = new Map(describeTopicConfigs(b, { 'segment.bytes': '4096' }).map((d) => [d.name, d]));
  assert.equal(described.get('segment.bytes')!.source, ConfigSource.DYNAMIC_TOPIC_CONFIG);
  assert.equal(described.get('segment.bytes')!.value, '4096');
  assert.equal(described.get('retention.ms')!.source, ConfigSource.STATIC_BROKER_CONFIG);
  assert.equal(described.get('retention.ms')!.value, '7200000');
  assert.equal(described.get('max.message.bytes')!.source, ConfigSource.DEFAULT_CONFIG);
  assert.equal(described.get('flush.messages')!.value, '9223372036854775807');
});
