/**
 * Scenario (a): RF=3, min.insync.replicas=2. An acks=all producer keeps writing while the
 * partition leader is SIGKILLed; a follower takes over, the producer's retries land there, and
 * afterwards every acknowledged record is readable from the new leader, in order.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../helpers/broker-process.ts';
import { ProcessCluster } from './process-cluster.ts';
import { SeqProducer, check, readAll } from './seq-workload.ts';

const TOPIC = 'acks-all';
let cluster: ProcessCluster | undefined;
after(async () => { await cluster?.close(); });

test('acks=all: the producer keeps going through a SIGKILL of the leader and every acknowledged record is readable in order', async () => {
  cluster = await ProcessCluster.start(3, { 'zookeeper.session.timeout.ms': '3000', 'min.insync.replicas': '2', 'replica.lag.time.max.ms': '5000' });
  await cluster.createTopic(TOPIC, 1, 3);
  const before = await cluster.partition(TOPIC, 0);

  const producer = new SeqProducer({ bootstrap: cluster.bootstrap, topic: TOPIC, partitions: 1 });
  await producer.start();
  try {
    await producer.waitForAcks(2000, 30_000);
    await cluster.kill(before.leader);
    const ackedAtKill = producer.ackedCount;
    await waitFor('a new leader', async () => {
      const p = await cluster!.partition(TOPIC, 0);
      return p.leader !== -1 && p.leader !== before.leader;
    }, 20_000, 100);
    await producer.waitForAcks(2000, 30_000);
    assert.ok(producer.ackedCount > ackedAtKill, 'acknowledgements continue after the kill');
  } finally {
    await producer.stop();
  }
  const after = await cluster.partition(TOPIC, 0);
  assert.notEqual(after.leader, before.leader);
  assert.ok(after.leaderEpoch > before.leaderEpoch, 'the leader epoch moved');

  const read = await readAll(cluster.bootstrap, TOPIC, 1);
  const counts = check(producer.acked, read);
  process.stderr.write(`# leader kill: ${JSON.stringify({ ...counts, lostSample: undefined, failedSends: producer.failed[0]!.length, errors: Object.fromEntries(producer.errors) })}\n`);
  assert.equal(counts.lost, 0, `lost acknowledged values, e.g. ${counts.lostSample.join(',')}`);
  assert.equal(counts.orderViolations, 0);
  assert.ok(counts.acknowledged >= 4000);
});
