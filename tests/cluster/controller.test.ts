/**
 * Cluster coordination with three in-process brokers on one real ZooKeeper (chroot /tributary):
 * registration, controller election and failover, rack-aware placement, leader failover on broker
 * loss, the unclean election flag, and what Metadata reports. They check metadata and leadership,
 * not data.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTopicsApi } from '@tributary/protocol/generated/index.ts';
import { ErrorCode } from '../../packages/broker/src/error-codes.ts';
import { TestClient } from '../../packages/broker/test/test-client.ts';
import { waitFor } from '../helpers/broker-process.ts';
import { ZooKeeperServer } from '../helpers/zookeeper.ts';
import { ClusterNode, stopAll } from './cluster-common.ts';

const FAILOVER_TIMEOUT_MS = 15_000;
let zk: ZooKeeperServer;
const nodes: ClusterNode[] = [];

before(async () => { zk = await ZooKeeperServer.start(); });
after(async () => {
  await stopAll(nodes);
  await zk?.stop();
});

async function cluster(chroot: string, racks: (string | null)[], extra: Record<string, string> = {}): Promise<ClusterNode[]> {
  const started: ClusterNode[] = [];
  for (const [i, rack] of racks.entries()) {
    const n = new ClusterNode(i + 1, zk.connectString(chroot), { ...(rack === null ? {} : { 'broker.rack': rack }), ...extra });
    nodes.push(n);
    started.push(n);
    await n.start();
  }
  await waitFor('every broker sees every broker', () => started.every((n) => n.running.context.store.brokers().length === racks.length));
  return started;
}

async function createTopic(node: ClusterNode, name: string, body: { numPartitions?: number; replicationFactor?: number; assignments?: { partitionIndex: number; brokerIds: number[] }[]; configs?: { name: string; value: string }[] }): Promise<number> {
  const c = await TestClient.connect(node.port);
  try {
    const res = await c.request(CreateTopicsApi, 7, {
      topics: [{ name, numPartitions: body.numPartitions ?? -1, replicationFactor: body.replicationFactor ?? -1, assignments: body.assignments ?? [], configs: body.configs ?? [] }],
      timeoutMs: 5000, validateOnly: false,
    });
    return res.topics[0]!.errorCode;
  } finally {
    c.close();
  }
}

test('brokers register with racks, one controller, rack-aware topics from any broker, and leader failover when the controller dies', async () => {
  // Controlled shutdown would hand broker 1's leaderships away before it stops (its own test is
  // operations-shutdown.test.ts); here the controller's failover path is what is under test.
  const [b1, b2, b3] = await cluster('/tributary', ['rack-a', 'rack-b', 'rack-c'], { 'controlled.shutdown.enable': 'false' });
  const controllerId = b1!.running.context.store.controllerId();
  assert.equal(controllerId, 1, 'the first broker up wins the election');
  assert.ok([b2, b3].every((n) => n!.running.context.store.controllerId() === 1));
  assert.equal(b1!.running.context.controller?.isActive, true);
  assert.equal(b2!.running.context.controller?.isActive, false);

  // Created through a non-controller broker; every broker sees it.
  assert.equal(await createTopic(b2!, 'orders', { numPartitions: 3, replicationFactor: 3 }), ErrorCode.NONE);
  assert.equal(await createTopic(b3!, 'too-big', { numPartitions: 1, replicationFactor: 4 }), ErrorCode.INVALID_REPLICATION_FACTOR);
  await waitFor('all brokers see orders', () => [b1, b2, b3].every((n) => n!.running.context.store.topic('orders') !== undefined));
  const assignments = b3!.running.context.store.topic('orders')!.assignments;
  assert.deepEqual(assignments.map((r) => r[0]).sort(), [1, 2, 3], 'leaders spread over the brokers');
  for (const r of assignments) assert.equal(new Set(r).size, 3);

  let md = await b3!.metadata();
  assert.equal(md.controllerId, 1);
  assert.deepEqual(md.brokers.map((b) => [b.nodeId, b.rack]), [[1, 'rack-a'], [2, 'rack-b'], [3, 'rack-c']]);
  const orders = md.topics.find((t) => t.name === 'orders')!;
  for (const p of orders.partitions) {
    assert.equal(p.errorCode, ErrorCode.NONE);
    assert.equal(p.leaderId, p.replicaNodes[0]);
    assert.deepEqual(p.isrNodes, p.replicaNodes);
    assert.deepEqual(p.offlineReplicas, []);
  }

  // Broker 1 (controller, leader of one partition) goes away.
  const led = assignments.findIndex((r) => r[0] === 1);
  await b1!.stop();
  await waitFor('a new controller with a new epoch', () => b2!.running.context.store.controllerId() > 1, FAILOVER_TIMEOUT_MS);
  const store = b2!.running.context.store;
  assert.equal(store.controllerEpoch(), 2);
  await waitFor('the partition broker 1 led has a new leader', () => {
    const s = store.partitionState('orders', led);
    return s !== undefined && s.leader !== 1 && s.leader !== -1;
  }, FAILOVER_TIMEOUT_MS);
  await waitFor('broker 1 left every ISR', () => [0, 1, 2].every((p) => !store.partitionState('orders', p)!.isr.includes(1)), FAILOVER_TIMEOUT_MS);
  const moved = store.partitionState('orders', led)!;
  assert.equal(moved.leaderEpoch, 1);
  assert.equal(moved.leader, assignments[led]!.find((r) => r !== 1), 'first live ISR member in assignment order');
  assert.equal(moved.controllerEpoch, 2);

  md = await b2!.metadata(['orders']);
  assert.deepEqual(md.brokers.map((b) => b.nodeId), [2, 3]);
  assert.equal(md.controllerId, store.controllerId());
  for (const p of md.topics[0]!.partitions) {
    assert.deepEqual(p.offlineReplicas, [1]);
    assert.notEqual(p.leaderId, 1);
  }

  // Broker 1 comes back: registered again, not a leader (its partitions have leaders), offline no more.
  await b1!.start();
  await waitFor('broker 1 visible again', () => store.brokers().length === 3);
  md = await b3!.metadata(['orders']);
  for (const p of md.topics[0]!.partitions) assert.deepEqual(p.offlineReplicas, []);
  assert.equal(md.controllerId, store.controllerId(), 'the controller stays where it is');
});

test('with no live ISR member a partition goes offline unless unclean.leader.election.enable; the ISR member\'s return brings it back', async () => {
  const [b1, b2, b3] = await cluster('/unclean', [null, null, null]);
  const store = b3!.running.context.store;
  assert.equal(await createTopic(b3!, 'clean', { assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }] }), ErrorCode.NONE);
  assert.equal(await createTopic(b3!, 'dirty', { assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [{ name: 'unclean.leader.election.enable', value: 'true' }] }), ErrorCode.NONE);
  await waitFor('b3 sees both', () => store.topic('dirty') !== undefined && store.topic('clean') !== undefined);

  // The follower (2) dies and leaves the ISR, then the leader (1, also the controller) dies too.
  await b2!.stop();
  await waitFor('ISR shrank to [1]', () => ['clean', 'dirty'].every((t) => store.partitionState(t, 0)!.isr.join() === '1'), FAILOVER_TIMEOUT_MS);
  await b1!.stop();
  await waitFor('broker 3 is controller; both partitions offline, ISR kept at its last member', () => store.controllerId() === 3
    && ['clean', 'dirty'].every((t) => store.partitionState(t, 0)!.leader === -1 && store.partitionState(t, 0)!.isr.join() === '1'), FAILOVER_TIMEOUT_MS);
  let md = await b3!.metadata(['clean']);
  const clean = md.topics[0]!.partitions[0]!;
  assert.equal(clean.errorCode, ErrorCode.LEADER_NOT_AVAILABLE);
  assert.equal(clean.leaderId, -1);
  assert.deepEqual(clean.offlineReplicas, [1, 2]);

  // Broker 2 (not in the ISR) returns: only the topic that allows unclean election takes it as leader.
  await b2!.start();
  await waitFor('dirty led by 2 with ISR [2]', () => store.partitionState('dirty', 0)!.leader === 2, FAILOVER_TIMEOUT_MS);
  assert.deepEqual(store.partitionState('dirty', 0)!.isr, [2]);
  assert.equal(store.partitionState('clean', 0)!.leader, -1);
  md = await b3!.metadata(['dirty']);
  assert.equal(md.topics[0]!.partitions[0]!.leaderId, 2);

  // Broker 1, the clean partition's last ISR member, returns and leads it again.
  const epochBefore = store.partitionState('clean', 0)!.leaderEpoch;
  await b1!.start();
  await waitFor('clean led by 1 again', () => store.partitionState('clean', 0)!.leader === 1, FAILOVER_TIMEOUT_MS);
  assert.equal(store.partitionState('clean', 0)!.leaderEpoch, epochBefore + 1);
  assert.equal(store.partitionState('dirty', 0)!.leader, 2, 'a led partition keeps its leader');
});
