import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EmbeddedMetadataStore, InMemoryMetadataStore, MetadataError, METADATA_FILE_NAME, type MetadataEvent,
} from '../../src/metadata/index.ts';

test('topics get unique non-zero ids and initial partition state', async () => {
  const s = new InMemoryMetadataStore();
  await s.start();
  const a = await s.createTopic('a', [[0], [0]], { 'retention.ms': '5' });
  const b = await s.createTopic('b', [[0]], {});
  assert.match(a.topicId, /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(a.topicId, b.topicId);
  assert.notEqual(a.topicId, 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.deepEqual(s.partitionState('a', 1), { leader: 0, leaderEpoch: 0, isr: [0], version: 0 });
  assert.deepEqual(s.topicConfig('a'), { configs: { 'retention.ms': '5' }, version: 0 });
  assert.equal(s.topicById(b.topicId)?.name, 'b');
  await assert.rejects(s.createTopic('a', [[0]], {}), (e: unknown) => e instanceof MetadataError && e.code === 'TOPIC_EXISTS');
  await s.close();
});

test('partition state updates are compare-and-set', async () => {
  const s = new InMemoryMetadataStore();
  await s.start();
  await s.createTopic('t', [[0, 1]], {});
  const next = await s.updatePartitionState('t', 0, { leader: 1, leaderEpoch: 1, isr: [1] }, 0);
  assert.equal(next.version, 1);
  await assert.rejects(s.updatePartitionState('t', 0, { leader: 0, leaderEpoch: 2, isr: [0] }, 0),
    (e: unknown) => e instanceof MetadataError && e.code === 'BAD_VERSION');
  assert.equal(s.partitionState('t', 0)!.leader, 1);
  await s.close();
});

test('subscribers see changes after they happen', async () => {
  const s = new InMemoryMetadataStore();
  await s.start();
  const seen: MetadataEvent['type'][] = [];
  const off = s.subscribe((e) => seen.push(e.type));
  await s.createTopic('t', [[0]], {});
  await s.addPartitions('t', [[0]]);
  await s.setTopicConfig('t', { 'retention.ms': '1' });
  await s.deleteTopic('t');
  off();
  await s.createTopic('u', [[0]], {});
  assert.deepEqual(seen, ['topic-created', 'partitions-added', 'topic-config', 'topic-deleted']);
  await s.close();
});

test('embedded store keeps cluster id and topics across restarts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-meta-'));
  try {
    const s1 = new EmbeddedMetadataStore(dir);
    await s1.start();
    const clusterId = s1.clusterId();
    const t = await s1.createTopic('orders', [[0], [0], [0]], { 'cleanup.policy': 'compact' });
    await s1.close();
    JSON.parse(await readFile(join(dir, METADATA_FILE_NAME), 'utf8'));

    const s2 = new EmbeddedMetadataStore(dir);
    await s2.start();
    assert.equal(s2.clusterId(), clusterId);
    assert.deepEqual(s2.topic('orders'), t);
    assert.equal(s2.topicConfig('orders')!.configs['cleanup.policy'], 'compact');
    await s2.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
