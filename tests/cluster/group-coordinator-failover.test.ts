/**
 * Scenario (e): a consumer group survives its coordinator's death. With
 * offsets.topic.replication.factor=3, __consumer_offsets is replicated; the group's coordinator
 * (FindCoordinator) is SIGKILLed; the leader of the group's __consumer_offsets partition moves, the
 * new leader becomes coordinator and rebuilds the group's offsets from the replicated partition.
 * The member keeps consuming (rejoining through the new coordinator), the offsets committed before
 * the kill are preserved, and the final commit covers every record.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, GroupConsumer, Producer, type ConsumerRecord } from '@tributary/client';
import { FindCoordinatorApi } from '@tributary/protocol/generated/index.ts';
import { waitFor } from '../helpers/broker-process.ts';
import { ProcessCluster, withClient } from './process-cluster.ts';

const TOPIC = 'group-input';
const GROUP = 'survivors';
const PARTITIONS = 3;
const BATCH = 300;
let cluster: ProcessCluster | undefined;
after(async () => { await cluster?.close(); });

async function findCoordinator(c: ProcessCluster): Promise<{ errorCode: number; nodeId: number }> {
  const res = await withClient(c.live()[0]!.port, (cl) => cl.request(FindCoordinatorApi, 3, { key: GROUP, keyType: 0 }));
  return { errorCode: res.errorCode ?? -1, nodeId: res.nodeId ?? -1 };
}

/** Name, code, message and cause of a client error, for the timeout report. */
function describeError(e: unknown): string {
  const err = e as Error & { code?: unknown; cause?: unknown };
  const cause = err.cause instanceof Error ? ` (cause: ${err.cause.message})` : '';
  return `${err.name}:${String(err.code)}: ${err.message}${cause}`;
}

async function produce(bootstrap: string[], from: number, n: number): Promise<void> {
  const producer = new Producer({ bootstrapServers: bootstrap, acks: -1, retries: 20, retryBackoffMs: 200, allowAutoTopicCreation: false });
  try {
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: Array.from({ length: n }, (_, i) => ({ partition: (from + i) % PARTITIONS, value: String(from + i) })) });
  } finally {
    await producer.close();
  }
}

test('a consumer group keeps consuming and keeps its committed offsets when its coordinator is SIGKILLed', { timeout: 180_000 }, async () => {
  cluster = await ProcessCluster.start(3, {
    'zookeeper.session.timeout.ms': '3000', 'replica.lag.time.max.ms': '3000', 'min.insync.replicas': '2',
    'offsets.topic.replication.factor': '3', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0',
  });
  const c = cluster;
  await c.createTopic(TOPIC, PARTITIONS, 3);
  await produce(c.bootstrap, 0, BATCH);

  const consumer = new GroupConsumer({
    bootstrapServers: c.bootstrap, groupId: GROUP, enableAutoCommit: false, autoOffsetReset: 'earliest',
    sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 20_000, maxWaitMs: 200, retryBackoffMs: 200,
  });
  const seen = new Set<number>();
  const pollErrors: string[] = [];
  const consumeUntil = async (n: number, what: string): Promise<void> => {
    const state = (): string => `seen ${seen.size} of ${n}; member ${consumer.memberId} generation ${consumer.generationId}; `
      + `assignment ${JSON.stringify(consumer.assignment())}; poll/commit errors ${JSON.stringify(pollErrors.slice(-20))}`;
    await waitFor(what, async () => {
      let records: ConsumerRecord[] = [];
      try {
        records = await consumer.poll();
      } catch (e) {
        pollErrors.push(describeError(e));
      }
      for (const r of records) seen.add(Number(r.value!.toString()));
      return seen.size >= n;
    }, 60_000, 0).catch((e: unknown) => { throw new Error(`${(e as Error).message}: ${state()}`); });
  };
  try {
    await consumer.connect();
    consumer.subscribe([TOPIC]);
    await consumeUntil(BATCH, 'the first batch');
    await consumer.commit();
    const before = await findCoordinator(c);
    assert.equal(before.errorCode, 0);
    const committedBefore = (await consumer.committed(Array.from({ length: PARTITIONS }, (_, p) => ({ topic: TOPIC, partition: p }))))
      .map((o) => o.offset);
    assert.equal(committedBefore.reduce((a, b) => a + b, 0), BATCH, 'the first commit covers the first batch');

    await c.kill(before.nodeId);
    await waitFor('another broker is the coordinator', async () => {
      const now = await findCoordinator(c).catch(() => ({ errorCode: -1, nodeId: -1 }));
      return now.errorCode === 0 && now.nodeId !== before.nodeId && now.nodeId >= 0;
    }, 30_000, 200);

    // The offsets committed before the kill, read through the new coordinator by another client.
    const live = c.live().map((b) => b.bootstrap);
    const admin = new Admin({ bootstrapServers: live });
    try {
      await admin.connect();
      const preserved = await admin.listConsumerGroupOffsets(GROUP);
      const byPartition = new Map(preserved.filter((o) => o.topic === TOPIC).map((o) => [o.partition, o.offset]));
      assert.deepEqual(Array.from({ length: PARTITIONS }, (_, p) => byPartition.get(p) ?? -1), committedBefore, 'committed offsets survive the coordinator');

      await produce(live, BATCH, BATCH);
      await consumeUntil(2 * BATCH, 'the second batch through the new coordinator');
      await waitFor('a commit through the new coordinator', async () => {
        try {
          await consumer.commit();
          return true;
        } catch (e) {
          pollErrors.push(`commit ${describeError(e)}`);
          await consumer.poll().catch(() => []);
          return false;
        }
      }, 30_000, 200);
      const after = await admin.listConsumerGroupOffsets(GROUP);
      assert.equal(after.filter((o) => o.topic === TOPIC).reduce((a, o) => a + o.offset, 0), 2 * BATCH, 'the final commit covers both batches');
    } finally {
      await admin.close();
    }
    process.stderr.write(`# coordinator failover: killed ${before.nodeId}; poll/commit errors seen by the member: ${JSON.stringify(pollErrors)}\n`);
  } finally {
    await consumer.close().catch(() => undefined);
  }
});
