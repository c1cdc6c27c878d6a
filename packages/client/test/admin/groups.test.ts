import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admin } from '../../src/admin/admin.ts';
import { GroupConsumer } from '../../src/consumer/group-consumer.ts';
import { KafkaError } from '../../src/kafka-errors.ts';
import { FakeCluster } from '../fake-cluster.ts';
import { FakeGroupCoordinator } from '../fake-group-coordinator.ts';

test('admin group methods: list, describe with decoded assignments, offsets, delete', async () => {
  const c = await new FakeCluster().start();
  const gc = new FakeGroupCoordinator(c);
  const admin = new Admin({ bootstrapServers: c.bootstrap });
  const consumer = new GroupConsumer({ bootstrapServers: c.bootstrap, groupId: 'g1', maxWaitMs: 20, heartbeatIntervalMs: 50, clientId: 'me' });
  try {
    c.createTopic('t', 2);
    await admin.connect();
    await consumer.connect();
    consumer.subscribe(['t']);
    const deadline = Date.now() + 5000;
    while (consumer.assignment().length < 2 && Date.now() < deadline) await consumer.poll();
    assert.deepEqual(await admin.listGroups(), [{ groupId: 'g1', protocolType: 'consumer', state: 'Stable' }]);
    const [d] = await admin.describeGroups(['g1']);
    assert.equal(d!.state, 'Stable');
    assert.equal(d!.protocol, 'range');
    assert.equal(d!.members.length, 1);
    assert.equal(d!.members[0]!.clientId, 'me');
    assert.deepEqual(d!.members[0]!.subscription, ['t']);
    assert.deepEqual(d!.members[0]!.assignment, [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    await assert.rejects(admin.alterConsumerGroupOffsets('g1', [{ topic: 't', partition: 0, offset: 3 }]), (e: unknown) => e instanceof KafkaError && e.code === 25);
    await assert.rejects(admin.deleteGroups(['g1']), (e: unknown) => e instanceof KafkaError && e.code === 68);
    await consumer.close();
    await admin.alterConsumerGroupOffsets('g1', [{ topic: 't', partition: 0, offset: 3 }, { topic: 't', partition: 1, offset: 7 }]);
    assert.deepEqual((await admin.listConsumerGroupOffsets('g1')).map((o) => [o.topic, o.partition, o.offset]), [['t', 0, 3], ['t', 1, 7]]);
    await admin.deleteGroups(['g1']);
    assert.deepEqual(await admin.listGroups(), []);
  } finally {
    await consumer.close();
    await admin.close();
    gc.close();
    await c.close();
  }
});
