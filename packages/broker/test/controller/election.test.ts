import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextPartitionState } from '../../src/controller/index.ts';
import type { PartitionState } from '../../src/metadata/index.ts';

const state = (leader: number, isr: number[], leaderEpoch = 3): PartitionState => ({ leader, leaderEpoch, isr, version: 7 });
const live = (...ids: number[]): Set<number> => new Set(ids);

test('leader dies: first live ISR member in assignment order leads, dead broker leaves the ISR, epoch bumps', () => {
  assert.deepEqual(nextPartitionState([1, 2, 3], state(1, [1, 3, 2]), live(2, 3), false), { leader: 2, leaderEpoch: 4, isr: [3, 2] });
});

test('follower dies: same leader, smaller ISR, epoch bumps; nothing to do when everyone lives', () => {
  assert.deepEqual(nextPartitionState([1, 2, 3], state(1, [1, 2, 3]), live(1, 3), false), { leader: 1, leaderEpoch: 4, isr: [1, 3] });
  assert.equal(nextPartitionState([1, 2, 3], state(1, [1, 2, 3]), live(1, 2, 3), false), undefined);
});

test('no live ISR member, unclean off: offline (-1), the ISR keeps its last member', () => {
  assert.deepEqual(nextPartitionState([1, 2, 3], state(1, [1]), live(2, 3), false), { leader: -1, leaderEpoch: 4, isr: [1] });
  assert.equal(nextPartitionState([1, 2, 3], state(-1, [1], 4), live(2, 3), false), undefined, 'stays offline without churn');
});

test('no live ISR member, unclean on: a live replica leads with an ISR of itself', () => {
  assert.deepEqual(nextPartitionState([1, 2, 3], state(1, [1]), live(3), true), { leader: 3, leaderEpoch: 4, isr: [3] });
  assert.deepEqual(nextPartitionState([1, 2], state(1, [1]), live(), true), { leader: -1, leaderEpoch: 4, isr: [1] });
});

test('the last ISR member comes back: it leads again (clean)', () => {
  assert.deepEqual(nextPartitionState([1, 2, 3], state(-1, [1], 4), live(1, 2), false), { leader: 1, leaderEpoch: 5, isr: [1] });
});
