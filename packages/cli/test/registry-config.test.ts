import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../src/args.ts';
import { parseRegistryConfig, splitRegistryProperties } from '../src/registry-config.ts';

test('splitRegistryProperties sends schema.registry.* to the registry and the rest to the broker', () => {
  const split = splitRegistryProperties({ 'listeners': 'PLAINTEXT://:9092', 'schema.registry.listeners': 'http://:8081', 'log.dirs': '/d' });
  assert.deepEqual(split.broker, { 'listeners': 'PLAINTEXT://:9092', 'log.dirs': '/d' });
  assert.deepEqual(split.registry, { 'schema.registry.listeners': 'http://:8081' });
});

test('parseRegistryConfig applies Confluent defaults', () => {
  assert.deepEqual(parseRegistryConfig({}), {
    listeners: 'http://0.0.0.0:8081', topic: '_schemas', leaderEligibility: true, groupId: 'schema-registry', compatibilityLevel: 'BACKWARD',
  });
});

test('parseRegistryConfig reads every key; bootstrap servers lose their PLAINTEXT:// prefix; level is case-insensitive', () => {
  const s = parseRegistryConfig({
    'schema.registry.listeners': 'http://127.0.0.1:0', 'schema.registry.kafkastore.bootstrap.servers': 'PLAINTEXT://a:9092, b:9093',
    'schema.registry.kafkastore.topic': '_schemas2', 'schema.registry.kafkastore.topic.replication.factor': '3',
    'schema.registry.host.name': 'reg1', 'schema.registry.leader.eligibility': 'FALSE', 'schema.registry.group.id': 'g',
    'schema.registry.compatibility.level': 'full_transitive',
  });
  assert.deepEqual(s, {
    listeners: 'http://127.0.0.1:0', bootstrapServers: 'a:9092,b:9093', topic: '_schemas2', replicationFactor: 3, hostName: 'reg1',
    leaderEligibility: false, groupId: 'g', compatibilityLevel: 'FULL_TRANSITIVE',
  });
});

test('parseRegistryConfig: an unknown key or a bad value is a UsageError naming the key', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ 'schema.registry.bogus': '1' }, /Unknown schema registry configuration schema\.registry\.bogus/],
    [{ 'schema.registry.listeners': 'https://0.0.0.0:8081' }, /schema\.registry\.listeners: only http/],
    [{ 'schema.registry.listeners': 'http://0.0.0.0' }, /schema\.registry\.listeners: the URL needs a port/],
    [{ 'schema.registry.listeners': 'nonsense' }, /schema\.registry\.listeners/],
    [{ 'schema.registry.kafkastore.bootstrap.servers': 'nohostport' }, /schema\.registry\.kafkastore\.bootstrap\.servers/],
    [{ 'schema.registry.kafkastore.topic': 'bad topic' }, /schema\.registry\.kafkastore\.topic/],
    [{ 'schema.registry.kafkastore.topic.replication.factor': '0' }, /replication\.factor/],
    [{ 'schema.registry.leader.eligibility': 'yes' }, /schema\.registry\.leader\.eligibility: expected true or false/],
    [{ 'schema.registry.compatibility.level': 'SOMETIMES' }, /schema\.registry\.compatibility\.level: expected one of NONE, BACKWARD/],
    [{ 'schema.registry.host.name': ' ' }, /schema\.registry\.host\.name/],
  ];
  for (const [props, expected] of cases) {
    assert.throws(() => parseRegistryConfig(props), (err: unknown) => err instanceof UsageError && expected.test(err.message), JSON.stringify(props));
  }
});
