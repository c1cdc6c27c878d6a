import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElectLeadersApi } from '@tributary/protocol/generated/index.ts';
import { Controller, ElectionType, planElection } from '../../src/controller/index.ts';
import { parseBrokerConfig } from '../../src/config/index.ts';
import { ErrorCode } from '../../src/error-codes.ts';
import { silentLogger } from '../../src/logger.ts';
import type { PartitionState } from '../../src/metadata/index.ts';
import { waitFor, withCluster } from '../replica/cluster-helpers.ts';

const state = (leader: number, isr: number[], leaderEpoch = 3): PartitionState => ({ leader, leaderEpoch, isr, version: 7 });
const live = (...ids: number[]): Set<number> => new Set(ids);

test('preferred election: the first replica leads when live and in the ISR, epoch bumped, ISR kept', () => {
  assert.deepEqual(planElection(ElectionType.PREFERRED, [1, 2, 3], state(2, [2, 3, 1]), live(1, 2, 3)), { ok: true, next: { leader: 1, leaderEpoch: 4, isr: [2, 3, 1] } });
});

test('preferred election errors: ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE (dead or out of the ISR)', () => {
  const code = (p: ReturnType<typeof planElection>): number => (p.ok ? 0 : p.errorCode);
  assert.equal(code(planElection(ElectionType.PREFERRED, [1, 2], state(1, [1, 2]), live(1, 2))), ErrorCode.ELECTION_NOT_NEEDED);
  assert.equal(code(planElection(ElectionType.PREFERRED, [1, 2], state(2, [2]), live(1, 2))), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
  assert.equal(code(planElection(ElectionType.PREFERRED, [1, 2], state(2, [2, 1]), live(2))), ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE);
});

test('unclean election: not needed with a live leader; a live ISR member first, else any live replica; none live: ELIGIBLE_LEADERS_NOT_AVAILABLE', () => {
  const code = (p: ReturnType<typeof planElection>): number => (p.ok ? 0 : p.errorCode);
  assert.equal(code(planElection(ElectionType.UNCLEAN, [1, 2], state(1, [1, 2]), live(1, 2))), ErrorCode.ELECTION_NOT_NEEDED);
  assert.deepEqual(planElection(ElectionType.UNCLEAN, [1, 2, 3], state(-1, [1]), live(2, 3)), { ok: true, next: { leader: 2, leaderEpoch: 4, isr: [2] } });
  assert.equal(code(planElection(ElectionType.UNCLEAN, [1, 2], state(-1, [1]), live())), ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE);
});

test('ElectLeaders v2 on any broker: moves leadership back to the preferred replica; per-partition errors', () => withCluster(3, {}, async (c) => {
  await c.createTopic('t', [[0, 1, 2], [1, 2, 0]]);
  await c.electLeader('t', 0, 1);
  const client = await c.client(2);
  const r = await client.request(ElectLeadersApi, 2, {
    electionType: 0, timeoutMs: 1000, topicPartitions: [{ topic: 't', partitions: [0, 1, 7] }, { topic: 'nope', partitions: [0] }],
  });
  assert.equal(r.errorCode, 0);
  const codes = r.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => [t.topic, p.partitionId, p.errorCode]));
  assert.deepEqual(codes, [['t', 0, 0], ['t', 1, ErrorCode.ELECTION_NOT_NEEDED], ['t', 7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], ['nope', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]);
  assert.equal(c.store.partitionState('t', 0)!.leader, 0);
  assert.equal(c.store.partitionState('t', 0)!.leaderEpoch, 2);
  await waitFor(() => c.partition(0, 't').isLeader, 'broker 0 leads t-0 again');
  const v0 = await client.request(ElectLeadersApi, 0, { topicPartitions: null, timeoutMs: 1000 });
  assert.deepEqual(v0.replicaElectionResults, [], 'null: every partition needing an election; none left');
}));

test('auto leader rebalance: the active controller moves leadership back to the preferred replica', () => withCluster(2, {}, async (c) => {
  await c.createTopic('t', [[0, 1]]);
  await c.electLeader('t', 0, 1);
  const config = parseBrokerConfig({ 'broker.id': '0', 'leader.imbalance.check.interval.seconds': '1' });
  const controller = new Controller({ brokerId: 0, config, store: c.store, log: silentLogger });
  await controller.start();
  try {
    assert.equal(controller.isActive, true);
    assert.equal(await controller.rebalanceLeaders(), 1);
    assert.equal(c.store.partitionState('t', 0)!.leader, 0);
    assert.equal(await controller.rebalanceLeaders(), 0, 'balanced: nothing to do');
  } finally {
    await controller.stop();
  }
}));
