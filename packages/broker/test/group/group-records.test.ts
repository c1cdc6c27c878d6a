import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCoordinatorRecord, groupKey, javaStringHashCode, offsetKey, offsetValue, partitionForGroup } from '../../src/group/group-records.ts';

test('Java String.hashCode over UTF-16 units, and Kafka\'s abs(hash) % partitions', () => {
  assert.equal(javaStringHashCode('hello'), 99162322);
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648); // Integer.MIN_VALUE
  assert.equal(partitionForGroup('polygenelubricants', 50), 0, 'Utils.abs(MIN_VALUE) is 0');
  assert.equal(javaStringHashCode('\u{1F600}'), 0xd83d * 31 + 0xde00); // surrogate pair: two code units
  assert.equal(partitionForGroup('my-group', 50), Math.abs(javaStringHashCode('my-group')) % 50);
});

test('offset keys are version 1, group keys version 2; values round-trip; null value is a tombstone', () => {
  assert.equal(offsetKey('g', 't', 3).readInt16BE(0), 1);
  assert.equal(groupKey('g').readInt16BE(0), 2);
  const value = { offset: 12, leaderEpoch: 2, metadata: 'm', commitTimestampMs: 1000, expireTimestampMs: null };
  const v3 = offsetValue(value);
  assert.equal(v3.readInt16BE(0), 3);
  assert.deepEqual(decodeCoordinatorRecord({ key: offsetKey('g', 't', 3), value: v3 }), { type: 'offset', group: 'g', topic: 't', partition: 3, value });
  const v1 = offsetValue({ ...value, expireTimestampMs: 5000 });
  assert.equal(v1.readInt16BE(0), 1);
  assert.deepEqual(decodeCoordinatorRecord({ key: offsetKey('g', 't', 3), value: v1 }), { type: 'offset', group: 'g', topic: 't', partition: 3, value: { ...value, leaderEpoch: -1, expireTimestampMs: 5000 } });
  assert.deepEqual(decodeCoordinatorRecord({ key: groupKey('g'), value: null }), { type: 'group', group: 'g', value: null });
});
