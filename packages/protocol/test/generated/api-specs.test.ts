import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKey, apiSpecByKey, apiSpecs, ProduceApi, ApiVersionsApi, EndTxnApi, ControlledShutdownApi } from '../../src/generated/index.ts';

test('apiSpecs holds keys 0..87 sorted, one per key, named like ApiKey', () => {
  assert.deepEqual(apiSpecs.map((s) => s.apiKey), Array.from({ length: 88 }, (_, i) => i));
  for (const spec of apiSpecs) {
    assert.equal((ApiKey as Record<string, number>)[spec.name], spec.apiKey, spec.name);
    assert.equal(apiSpecByKey(spec.apiKey), spec);
    assert.ok(spec.minVersion <= spec.maxVersion, spec.name);
  }
  assert.equal(apiSpecByKey(999), undefined);
});

test('version facts come from the request spec', () => {
  assert.deepEqual(
    [ProduceApi.apiKey, ProduceApi.name, ProduceApi.minVersion, ProduceApi.maxVersion, ProduceApi.flexibleMin],
    [0, 'Produce', 0, 11, 9],
  );
  assert.deepEqual([ApiVersionsApi.minVersion, ApiVersionsApi.maxVersion, ApiVersionsApi.flexibleMin], [0, 4, 3]);
  assert.equal(EndTxnApi.latestVersionUnstable, true);
  assert.equal(ProduceApi.latestVersionUnstable, false);
  assert.deepEqual(ProduceApi.listeners, ['zkBroker', 'broker']);
  assert.equal(ControlledShutdownApi.apiKey, 7);
});

test('APIs without flexible versions report flexibleMin Infinity', () => {
  const none = apiSpecs.filter((s) => s.flexibleMin === Infinity).map((s) => s.name);
  for (const spec of apiSpecs) assert.ok(spec.flexibleMin === Infinity || spec.flexibleMin <= spec.maxVersion, spec.name);
  assert.ok(!none.includes('Produce'));
});
