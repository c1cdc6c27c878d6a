import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HW_CHECKPOINT_FILE, HighWatermarkCheckpoints, decodeHighWatermarks, encodeHighWatermarks } from '../../src/replica/hw-checkpoint.ts';
import { produce, withCluster } from './cluster-helpers.ts';

test('replication-offset-checkpoint: Kafka text format round trip; malformed text yields nothing', () => {
  const text = encodeHighWatermarks([{ topic: 't', partition: 0, highWatermark: 5 }, { topic: 'a.b', partition: 12, highWatermark: 0 }]);
  assert.equal(text, '0\n2\nt 0 5\na.b 12 0\n');
  assert.deepEqual([...decodeHighWatermarks(text)], [['t 0', 5], ['a.b 12', 0]]);
  assert.equal(decodeHighWatermarks('0\n3\nt 0 5\n').size, 0, 'count mismatch');
  assert.equal(decodeHighWatermarks('1\n1\nt 0 5\n').size, 0, 'unknown version');
  assert.equal(decodeHighWatermarks('0\n1\nt x 5\n').size, 0, 'bad partition');
});

test('checkpoints are grouped per log dir and read back by partition dir', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-hwcp-'));
  try {
    const cp = new HighWatermarkCheckpoints();
    cp.write([{ topic: 't', index: 1, highWatermark: 9, log: { dir: join(dir, 't-1') } }]);
    assert.equal(await readFile(join(dir, HW_CHECKPOINT_FILE), 'utf8'), '0\n1\nt 1 9\n');
    assert.equal(new HighWatermarkCheckpoints().lookup(join(dir, 't-1'), 't', 1), 9);
    assert.equal(new HighWatermarkCheckpoints().lookup(join(dir, 't-2'), 't', 2), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a restarted leader with followers starts from its checkpointed HW, not its log start or log end', () => withCluster(2, {}, async (c) => {
  await c.createTopic('t', [[0, 1]]);
  const client = await c.client(0);
  assert.equal((await produce(client, 't', ['a', 'b', 'c'])).errorCode, 0);
  assert.equal(c.partition(0, 't').highWatermark, 3);
  await c.stopBroker(1);
  await c.stopBroker(0); // clean shutdown writes the checkpoint
  await c.startBroker(0);
  const p = c.partition(0, 't');
  assert.equal(p.isLeader, true);
  assert.equal(p.logEndOffset, 3);
  assert.equal(p.highWatermark, 3, 'the checkpointed HW, although follower 1 has not fetched yet');
}));
