import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefaultPartitioner } from '../../src/producer/partitioner.ts';

test('keyed records use toPositive(murmur2(key)) % numPartitions', () => {
  const p = new DefaultPartitioner();
  // kafka-python: murmur2(b'hello') = 2132663229 -> & 0x7fffffff = 2132663229; % 7 = 2132663229 % 7
  assert.equal(p.partition('t', Buffer.from('hello'), 7), 2132663229 % 7);
  // murmur2(b'a') = 2731586172 (negative in Java) -> 584102524
  assert.equal(p.partition('t', Buffer.from('a'), 10), (2731586172 & 0x7fffffff) % 10);
});

test('null keys stick to one partition until a batch for it is closed', () => {
  const values = [0.5, 0.0, 0.9];
  let i = 0;
  const p = new DefaultPartitioner(() => values[i++ % values.length]!);
  const first = p.partition('t', null, 4);
  assert.equal(first, 2);
  for (let n = 0; n < 10; n++) assert.equal(p.partition('t', null, 4), first);
  p.onNewBatch('t', first, 4);
  const second = p.partition('t', null, 4);
  assert.notEqual(second, first);
  // a batch closing on another partition does not move the sticky choice
  p.onNewBatch('t', (second + 1) % 4, 4);
  assert.equal(p.partition('t', null, 4), second);
});

test('sticky choice is per topic and survives a single-partition topic', () => {
  const p = new DefaultPartitioner(() => 0.99);
  assert.equal(p.partition('one', null, 1), 0);
  p.onNewBatch('one', 0, 1);
  assert.equal(p.partition('one', null, 1), 0);
  assert.equal(p.partition('other', null, 3), 2);
});
