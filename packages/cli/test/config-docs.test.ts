import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BROKER_CONFIGS, TOPIC_CONFIGS } from '@tributary/broker';
import { brokerTable, README_PATH, registryTable, topicTable, withConfigDocs } from '../scripts/config-docs.ts';
import { REGISTRY_CONFIGS } from '../src/registry-config.ts';

test('config tables list every broker and topic config once, with its default', () => {
  const broker = brokerTable();
  for (const d of BROKER_CONFIGS) assert.equal(broker.split('\n').filter((l) => l.startsWith(`| \`${d.name}\` |`)).length, 1, d.name);
  assert.match(broker, /^\| `log\.dir` \| string \| `\.\/data` \|/m);
  assert.match(broker, /^\| `listeners` \| list \| `PLAINTEXT:\/\/:9092` \|/m);
  const topic = topicTable();
  for (const d of TOPIC_CONFIGS) assert.ok(topic.includes(`| \`${d.name}\` |`), d.name);
  const registry = registryTable();
  for (const d of REGISTRY_CONFIGS) assert.ok(registry.includes(`| \`${d.name}\` |`), d.name);
  assert.match(registry, /^\| `schema\.registry\.listeners` \| list \| `http:\/\/0\.0\.0\.0:8081` \|/m);
});

test('README.md configuration tables are current (regenerate: node --import tsx packages/cli/scripts/config-docs.ts --write)', () => {
  const readme = readFileSync(README_PATH, 'utf8');
  const regenerated = withConfigDocs(readme);
  assert.notEqual(regenerated, null, 'README.md has the config-docs markers');
  assert.ok(regenerated === readme, 'README.md config tables are stale: run node --import tsx packages/cli/scripts/config-docs.ts --write');
});
