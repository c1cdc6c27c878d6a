import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignReplicas, rackAlternatedBrokers, type PlacementBroker } from '../../src/controller/index.ts';

const noRack = (...ids: number[]): PlacementBroker[] => ids.map((id) => ({ id, rack: null }));

function place(brokers: PlacementBroker[], partitions: number, rf: number, startIndex = 0, firstPartition = 0): number[][] {
  const r = assignReplicas(brokers, partitions, rf, { startIndex, firstPartition });
  assert.ok(r.ok, 'placement succeeds');
  return r.assignments;
}

test('without racks: Kafka\'s placement (first replica round-robin, followers shifted every n partitions)', () => {
  // Kafka's AdminUtilsTest: 5 brokers, 10 partitions, RF 3, fixed start index 0.
  assert.deepEqual(place(noRack(0, 1, 2, 3, 4), 10, 3), [
    [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
    [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
  ]);
});

test('rack-alternated broker list interleaves racks in name order', () => {
  const brokers = [{ id: 0, rack: 'rack1' }, { id: 1, rack: 'rack3' }, { id: 2, rack: 'rack3' }, { id: 3, rack: 'rack2' }, { id: 4, rack: 'rack2' }, { id: 5, rack: 'rack1' }];
  assert.deepEqual(rackAlternatedBrokers(brokers), [0, 3, 1, 5, 4, 2]);
});

test('with racks: every partition spans as many racks as it can, leaders spread evenly', () => {
  const brokers = [{ id: 0, rack: 'rack1' }, { id: 1, rack: 'rack3' }, { id: 2, rack: 'rack3' }, { id: 3, rack: 'rack2' }, { id: 4, rack: 'rack2' }, { id: 5, rack: 'rack1' }];
  const rackOf = new Map(brokers.map((b) => [b.id, b.rack]));
  const assignments = place(brokers, 6, 3, 2);
  const leaders = new Map<number, number>();
  for (const replicas of assignments) {
    assert.equal(new Set(replicas).size, 3);
    assert.equal(new Set(replicas.map((r) => rackOf.get(r))).size, 3, `replicas ${replicas} on three racks`);
    leaders.set(replicas[0]!, (leaders.get(replicas[0]!) ?? 0) + 1);
  }
  assert.deepEqual([...leaders.values()], [1, 1, 1, 1, 1, 1]);
});

test('with racks: Kafka\'s golden assignment (AdminRackAwareTest, 7 partitions, RF 3, start 0)', () => {
  const brokers = [{ id: 0, rack: 'rack1' }, { id: 1, rack: 'rack3' }, { id: 2, rack: 'rack3' }, { id: 3, rack: 'rack2' }, { id: 4, rack: 'rack2' }, { id: 5, rack: 'rack1' }];
  assert.deepEqual(place(brokers, 7, 3, 0), [[0, 3, 1], [3, 1, 5], [1, 5, 4], [5, 4, 2], [4, 2, 0], [2, 0, 3], [0, 4, 2]]);
});

test('more replicas than racks: every rack first, then racks repeat', () => {
  const brokers = [{ id: 1, rack: 'a' }, { id: 2, rack: 'a' }, { id: 3, rack: 'b' }, { id: 4, rack: 'b' }];
  for (const replicas of place(brokers, 8, 3, 1)) {
    assert.equal(new Set(replicas).size, 3);
    assert.equal(new Set(replicas.slice(0, 2).map((r) => (r <= 2 ? 'a' : 'b'))).size, 2, 'leader and first follower on different racks');
  }
});

test('RF above the broker count is INVALID_REPLICATION_FACTOR; some brokers without a rack: rack-unaware', () => {
  const r = assignReplicas(noRack(1, 2), 1, 3, { startIndex: 0 });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'INVALID_REPLICATION_FACTOR');
  assert.deepEqual(place([{ id: 1, rack: 'a' }, { id: 2, rack: null }], 2, 2), [[1, 2], [2, 1]]);
});

test('added partitions continue the placement after the existing ones', () => {
  const all = place(noRack(0, 1, 2), 6, 2);
  assert.deepEqual(place(noRack(0, 1, 2), 3, 2, 0, 3), all.slice(3));
});
