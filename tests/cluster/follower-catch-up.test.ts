/**
 * Scenario (d): a follower SIGKILLed under acks=all load leaves the ISR
 * (replica.lag.time.max.ms=2000); relaunched, it truncates/fetches from the leader, catches up and
 * rejoins the ISR. Metadata shows it back in every ISR, and once the producer stops its copy of
 * each partition is byte-for-byte the leader's size (DescribeLogDirs) with the leader's high
 * watermark at the log end, i.e. the follower's log end offset equals the leader's.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin } from '@tributary/client';
import { waitFor } from '../helpers/broker-process.ts';
import { ProcessCluster, partitionSizes } from './process-cluster.ts';
import { SeqProducer, check, readAll } from './seq-workload.ts';

const TOPIC = 'catch-up';
const PARTITIONS = 2;
let cluster: ProcessCluster | undefined;
after(async () => { await cluster?.close(); });

test('a restarted broker catches up and rejoins the ISR with the leader\'s log end offset', async () => {
  cluster = await ProcessCluster.start(3, { 'zookeeper.session.timeout.ms': '3000', 'min.insync.replicas': '2', 'replica.lag.time.max.ms': '2000' });
  const c = cluster;
  await c.createTopic(TOPIC, PARTITIONS, 3);
  // The victim leads neither partition, so this is follower loss only.
  const leaders = await Promise.all(Array.from({ length: PARTITIONS }, (_, p) => c.partition(TOPIC, p)));
  const victim = [1, 2, 3].find((id) => leaders.every((l) => l.leader !== id))!;
  assert.ok(victim !== undefined, 'some broker leads none of the partitions');

  const producer = new SeqProducer({ bootstrap: c.bootstrap, topic: TOPIC, partitions: PARTITIONS });
  await producer.start();
  try {
    await producer.waitForAcks(1000, 30_000);
    await c.kill(victim);
    await waitFor(`broker ${victim} out of every ISR`, async () => {
      for (let p = 0; p < PARTITIONS; p++) if ((await c.partition(TOPIC, p)).isr.includes(victim)) return false;
      return true;
    }, 30_000, 100);
    await producer.waitForAcks(3000, 30_000);
    await c.relaunch(victim);
    await waitFor(`broker ${victim} back in every ISR`, async () => {
      for (let p = 0; p < PARTITIONS; p++) if (!(await c.partition(TOPIC, p)).isr.includes(victim)) return false;
      return true;
    }, 30_000, 100);
    await producer.waitForAcks(1000, 30_000);
  } finally {
    await producer.stop();
  }

  const leaderPort = async (p: number): Promise<number> => c.broker((await c.partition(TOPIC, p)).leader).port;
  await waitFor('the follower log equals the leader log', async () => {
    const mine = await partitionSizes(c.broker(victim).port, TOPIC);
    for (let p = 0; p < PARTITIONS; p++) {
      const theirs = await partitionSizes(await leaderPort(p), TOPIC);
      if (mine.get(p) === undefined || mine.get(p) !== theirs.get(p)) return false;
    }
    return true;
  }, 20_000, 100);
  const read = await readAll(c.bootstrap, TOPIC, PARTITIONS);
  const admin = new Admin({ bootstrapServers: c.bootstrap });
  try {
    await admin.connect();
    const hw = await admin.listOffsets(Array.from({ length: PARTITIONS }, (_, p) => ({ topic: TOPIC, partition: p, spec: 'latest' as const })));
    for (const h of hw) assert.equal(h.offset, read[h.partition]!.length, `partition ${h.partition}: high watermark at the log end`);
  } finally {
    await admin.close();
  }
  const counts = check(producer.acked, read);
  process.stderr.write(`# follower catch-up: ${JSON.stringify({ ...counts, lostSample: undefined, victim })}\n`);
  assert.equal(counts.lost, 0);
  assert.equal(counts.orderViolations, 0);
});
