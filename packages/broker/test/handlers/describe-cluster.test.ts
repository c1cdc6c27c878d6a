import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeClusterApi } from '@tributary/protocol/generated/index.ts';
import { TestClient, withBroker } from '../test-client.ts';

test('DescribeCluster v0 reports cluster id, this broker as controller, and the brokers', () => withBroker({ 'broker.rack': 'r1' }, async ({ port, broker }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(DescribeClusterApi, 0, { includeClusterAuthorizedOperations: false });
  assert.equal(res.errorCode, 0);
  assert.equal(res.clusterId, broker.context.store.clusterId());
  assert.equal(res.controllerId, 0);
  assert.deepEqual(res.brokers, [{ brokerId: 0, host: '127.0.0.1', port, rack: 'r1' }]);
  assert.equal(res.clusterAuthorizedOperations, -2147483648);
  c.close();
}));

test('DescribeCluster v1 serves endpointType brokers and refuses controllers', () => withBroker({}, async ({ port }) => {
  const c = await TestClient.connect(port);
  const res = await c.request(DescribeClusterApi, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
  assert.deepEqual([res.errorCode, res.endpointType, res.brokers.length], [0, 1, 1]);
  assert.ok(res.clusterAuthorizedOperations! > 0);
  const ctl = await c.request(DescribeClusterApi, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
  assert.equal(ctl.errorCode, 114);
  c.close();
}));
