/**
 * Leader and controller failover with brokers as child processes (`tributary start --set
 * zookeeper.connect=...`): SIGKILL the controller, which also leads a partition; its ZooKeeper
 * session expires after zookeeper.session.timeout.ms, the surviving brokers elect a new
 * controller, and it moves leadership. A restarted broker registers again. An observer store in the
 * test process reads the same ZooKeeper. Leadership and metadata only, not data.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTopicsApi, MetadataApi } from '@tributary/protocol/generated/index.ts';
import { ZooKeeperMetadataStore } from '../../packages/broker/src/metadata/index.ts';
import { TestClient } from '../../packages/broker/test/test-client.ts';
import { waitFor } from '../helpers/broker-process.ts';
import { ZooKeeperServer } from '../helpers/zookeeper.ts';
import { BrokerChild } from './cluster-common.ts';

const SESSION_TIMEOUT_MS = 2000;
/** DESIGN target: failover within the session timeout + 2 s; the assertion leaves room for a loaded machine. */
const FAILOVER_BOUND_MS = SESSION_TIMEOUT_MS + 8000;
let zk: ZooKeeperServer;
let observer: ZooKeeperMetadataStore | undefined;
const brokers: BrokerChild[] = [];

before(async () => { zk = await ZooKeeperServer.start(); });
after(async () => {
  for (const b of brokers) {
    await b.kill().catch(() => undefined);
    b.removeDir();
  }
  await observer?.close();
  await zk?.stop();
});

test('SIGKILL of the controller: a new controller within the session timeout moves its partitions; the restarted broker rejoins', async () => {
  const connect = zk.connectString('/failover');
  for (const id of [1, 2, 3]) {
    brokers.push(await BrokerChild.start({
      'broker.id': String(id), 'zookeeper.connect': connect, 'zookeeper.session.timeout.ms': String(SESSION_TIMEOUT_MS), 'broker.rack': `r${id}`,
    }));
  }
  observer = new ZooKeeperMetadataStore({ connect, sessionTimeoutMs: 6000, connectionTimeoutMs: 10_000 });
  await observer.start();
  const store = observer;
  await waitFor('three brokers registered', () => store.brokers().length === 3, 10_000);
  const controller = store.controllerId();
  assert.ok([1, 2, 3].includes(controller));

  const c = await TestClient.connect(brokers[0]!.port);
  const created = await c.request(CreateTopicsApi, 7, {
    topics: [{ name: 'events', numPartitions: 3, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false,
  });
  c.close();
  assert.equal(created.topics[0]!.errorCode, 0);
  await waitFor('observer sees the topic', () => store.topic('events') !== undefined);
  const led = [0, 1, 2].filter((p) => store.partitionState('events', p)!.leader === controller);
  assert.equal(led.length, 1, 'rack-aware placement gives each broker one leadership');

  const epochBefore = store.controllerEpoch();
  const victim = brokers[controller - 1]!;
  const killedAt = Date.now();
  await victim.kill();
  await waitFor('new controller and new leader', () => {
    const s = store.partitionState('events', led[0]!)!;
    return store.controllerId() !== -1 && store.controllerId() !== controller && s.leader !== -1 && s.leader !== controller;
  }, FAILOVER_BOUND_MS + 5000);
  const failoverMs = Date.now() - killedAt;
  assert.ok(failoverMs <= FAILOVER_BOUND_MS, `failover took ${failoverMs} ms`);
  const moved = store.partitionState('events', led[0]!)!;
  assert.equal(moved.leaderEpoch, 1);
  assert.equal(moved.isr.includes(controller), false);
  assert.ok(store.controllerEpoch() > epochBefore, 'a new controller epoch');

  const survivor = brokers.find((b) => b !== victim)!;
  const c2 = await TestClient.connect(survivor.port);
  let md = await c2.request(MetadataApi, 12, { topics: [{ name: 'events', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  assert.equal(md.brokers.length, 2);
  assert.equal(md.controllerId, store.controllerId());
  for (const p of md.topics[0]!.partitions) {
    assert.deepEqual(p.offlineReplicas, [controller]);
    assert.notEqual(p.leaderId, controller);
  }

  await victim.launch();
  await waitFor('the restarted broker is registered again', () => store.brokers().length === 3, 15_000);
  // Each broker's view follows ZooKeeper on its own: poll the survivor until it shows the return.
  await waitFor('the survivor reports three brokers and no offline replica', async () => {
    md = await c2.request(MetadataApi, 12, { topics: [{ name: 'events', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    return md.brokers.length === 3 && md.topics[0]!.partitions.every((p) => (p.offlineReplicas ?? []).length === 0);
  }, 10_000, 100);
  c2.close();
  process.stderr.write(`# controller+leader failover after SIGKILL: ${failoverMs} ms (session timeout ${SESSION_TIMEOUT_MS} ms)\n`);
});
