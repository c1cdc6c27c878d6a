import { test } from 'node:test';
import assert from 'node:assert/strict';
import { controlledShutdown, ledPartitions, shutdownPartitionState } from '../../src/controller/index.ts';
import { silentLogger } from '../../src/logger.ts';
import type { PartitionState } from '../../src/metadata/index.ts';
import { produce, waitFor, withCluster } from '../replica/cluster-helpers.ts';

const state = (leader: number, isr: number[], leaderEpoch = 3): PartitionState => ({ leader, leaderEpoch, isr, version: 7 });
const live = (...ids: number[]): Set<number> => new Set(ids);

test('shutdown plan: a leader hands over to the first other live ISR member in assignment order, epoch bumped, and leaves the ISR', () => {
  assert.deepEqual(shutdownPartitionState([1, 2, 3], state(1, [1, 3, 2]), 1, live(1, 2, 3)), { leader: 2, leaderEpoch: 4, isr: [3, 2] });
  assert.deepEqual(shutdownPartitionState([1, 2, 3], state(1, [1, 3]), 1, live(1, 2, 3)), { leader: 3, leaderEpoch: 4, isr: [3] });
});

test('shutdown plan: a sole in-sync leader (or one whose other ISR members are dead) stays', () => {
  assert.equal(shutdownPartitionState([1, 2, 3], state(1, [1]), 1, live(1, 2, 3)), undefined);
  assert.equal(shutdownPartitionState([1, 2], state(1, [1, 2]), 1, live(1)), undefined);
});

test('shutdown plan: a follower leaves the ISR without an epoch bump; nothing to do when not in the ISR', () => {
  assert.deepEqual(shutdownPartitionState([1, 2, 3], state(2, [2, 1, 3]), 1, live(1, 2, 3)), { leader: 2, leaderEpoch: 3, isr: [2, 3] });
  assert.equal(shutdownPartitionState([1, 2, 3], state(2, [2, 3]), 1, live(1, 2, 3)), undefined);
});

test('controlled shutdown moves every leadership away, the old leader answers NOT_LEADER and the new one takes acks=all writes', () => withCluster(3, {}, async (c) => {
  await c.createTopic('a', [[0, 1, 2]]);
  await c.createTopic('b', [[0, 2, 1]]);
  await c.createTopic('solo', [[0]]);
  await c.createTopic('f', [[1, 0, 2]]);
  assert.equal((await produce(await c.client(0), 'a', ['x'])).errorCode, 0);
  c.broker(0).context.replicas.beginControlledShutdown();
  const result = await controlledShutdown({ brokerId: 0, store: c.store, log: silentLogger, retriesMax: 3, retryBackoffMs: 5000 });
  assert.deepEqual(result.remainingLeaderships, ['solo-0'], 'a partition with no other replica stays');
  assert.deepEqual(ledPartitions(c.store, 0), ['solo-0']);
  assert.deepEqual({ leader: c.store.partitionState('a', 0)!.leader, isr: c.store.partitionState('a', 0)!.isr }, { leader: 1, isr: [1, 2] });
  assert.equal(c.store.partitionState('b', 0)!.leader, 2);
  assert.deepEqual(c.store.partitionState('f', 0)!.isr, [1, 2], 'left the ISR of a partition it follows');
  assert.equal(c.store.partitionState('f', 0)!.leaderEpoch, 0, 'no epoch bump for a follower leaving');
  await waitFor(() => c.partition(1, 'a').isLeader, 'broker 1 leads a-0');
  assert.equal((await produce(await c.client(0), 'a', ['y'])).errorCode, 6, 'NOT_LEADER_OR_FOLLOWER on the departing broker');
  assert.deepEqual(await produce(await c.client(1), 'a', ['y']), { errorCode: 0, baseOffset: 1 }, 'acks=all does not wait for the departing replica');
}));
