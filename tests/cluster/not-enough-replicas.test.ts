/**
 * Scenario (b): RF=3, min.insync.replicas=2, two of three brokers SIGKILLed. Once the ISR has
 * shrunk to the leader alone (replica.lag.time.max.ms=2000, or the controller dropping dead
 * brokers), an acks=all produce fails with NOT_ENOUGH_REPLICAS (19) while acks=1 still
 * succeeds; with one broker back in the ISR acks=all succeeds again.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaError, Producer } from '@tributary/client';
import { waitFor } from '../helpers/broker-process.ts';
import { ProcessCluster } from './process-cluster.ts';

const TOPIC = 'min-isr';
const NOT_ENOUGH_REPLICAS = 19;
let cluster: ProcessCluster | undefined;
after(async () => { await cluster?.close(); });

async function produceOnce(bootstrap: string[], acks: -1 | 1): Promise<number> {
  const producer = new Producer({ bootstrapServers: bootstrap, acks, retries: 0, requestTimeoutMs: 10_000, allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ partition: 0, value: `acks=${acks}` }] });
    return 0;
  } catch (e) {
    if (e instanceof KafkaError) return e.code;
    throw e;
  } finally {
    await producer.close();
  }
}

test('acks=all with the ISR below min.insync.replicas fails with NOT_ENOUGH_REPLICAS; acks=1 still succeeds', async () => {
  cluster = await ProcessCluster.start(3, { 'zookeeper.session.timeout.ms': '3000', 'min.insync.replicas': '2', 'replica.lag.time.max.ms': '2000' });
  await cluster.createTopic(TOPIC, 1, 3);
  const { leader } = await cluster.partition(TOPIC, 0);
  assert.equal(await produceOnce(cluster.bootstrap, -1), 0, 'acks=all succeeds with the full ISR');

  const others = [1, 2, 3].filter((id) => id !== leader);
  for (const id of others) await cluster.kill(id);
  await waitFor('the ISR shrinks to the leader', async () => {
    const p = await cluster!.partition(TOPIC, 0);
    return p.leader === leader && p.isr.length === 1;
  }, 30_000, 100);

  const live = [cluster.broker(leader).bootstrap];
  assert.equal(await produceOnce(live, -1), NOT_ENOUGH_REPLICAS);
  assert.equal(await produceOnce(live, 1), 0, 'acks=1 does not need the ISR');

  await cluster.relaunch(others[0]!);
  await waitFor('a follower back in the ISR', async () => (await cluster!.partition(TOPIC, 0)).isr.length >= 2, 30_000, 100);
  assert.equal(await produceOnce(cluster.live().map((b) => b.bootstrap), -1), 0, 'acks=all succeeds again with two in the ISR');
});
