import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBrokerConfig } from '../../src/config/index.ts';

test('operations configs: Kafka names and defaults', () => {
  const c = parseBrokerConfig({});
  assert.equal(c.bool('controlled.shutdown.enable'), true);
  assert.equal(c.int('controlled.shutdown.max.retries'), 3);
  assert.equal(c.int('controlled.shutdown.retry.backoff.ms'), 5000);
  assert.equal(c.bool('auto.leader.rebalance.enable'), true);
  assert.equal(c.int('leader.imbalance.check.interval.seconds'), 300);
  assert.equal(c.int('replica.high.watermark.checkpoint.interval.ms'), 5000);
});

test('internal topic replication factor: explicit wins; unset, 3 in cluster mode and 1 on a single node', () => {
  assert.equal(parseBrokerConfig({}).internalTopicReplicationFactor('offsets.topic.replication.factor'), 1);
  assert.equal(parseBrokerConfig({ 'zookeeper.connect': '127.0.0.1:2181' }).internalTopicReplicationFactor('offsets.topic.replication.factor'), 3);
  assert.equal(parseBrokerConfig({ 'zookeeper.connect': '127.0.0.1:2181', 'offsets.topic.replication.factor': '2' })
    .internalTopicReplicationFactor('offsets.topic.replication.factor'), 2);
  assert.equal(parseBrokerConfig({ 'zookeeper.connect': '127.0.0.1:2181' }).internalTopicReplicationFactor('transaction.state.log.replication.factor'), 3);
});
