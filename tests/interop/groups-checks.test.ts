/**
 * The ownership checks of the consumer-group interop scenario (groups-common.ts) catch what they are
 * there to catch: fed hand-written member timelines, they report a partition owned by two members at
 * once, an eager member that keeps partitions across a rebalance, a record consumed from a partition
 * the member did not own, and end a killed member's ownership at the kill.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overlaps, replay, type MemberEvent, type MemberLog } from './groups-common.ts';

const ev = (t: number, e: MemberEvent['ev'], partitions?: number[], rows?: Array<[number, number, string]>): MemberEvent => ({ t, ev: e, partitions, rows });

test('a clean eager hand-over (revoke, then assign elsewhere) has no overlap and no problem', () => {
  const logs: MemberLog[] = [
    { name: 'a', events: [ev(0, 'assigned', [0, 1, 2, 3, 4, 5]), ev(5, 'records', undefined, [[4, 0, 'x']]), ev(10, 'revoked', [0, 1, 2, 3, 4, 5]), ev(20, 'assigned', [0, 1, 2])] },
    { name: 'b', events: [ev(20, 'assigned', [3, 4, 5])] },
  ];
  const r = replay(logs, 'eager');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(overlaps(r.intervals), []);
  assert.deepEqual([...r.owned.get('b')!].sort(), [3, 4, 5]);
});

test('a partition assigned to a second member before the first revoked it is an overlap', () => {
  const logs: MemberLog[] = [
    { name: 'a', events: [ev(0, 'assigned', [0, 1, 2, 3, 4, 5]), ev(30, 'revoked', [0, 1, 2, 3, 4, 5])] },
    { name: 'b', events: [ev(20, 'assigned', [3])] },
  ];
  assert.match(overlaps(replay(logs, 'cooperative').intervals).join('\n'), /partition 3: a \[0, 30\) overlaps b \[20/);
});

test('eager: keeping partitions across a rebalance, or revoking only some, is reported', () => {
  const keeps: MemberLog[] = [{ name: 'a', events: [ev(0, 'assigned', [0, 1]), ev(10, 'assigned', [2])] }];
  assert.match(replay(keeps, 'eager').problems.join('\n'), /eager must revoke first/);
  const partial: MemberLog[] = [{ name: 'a', events: [ev(0, 'assigned', [0, 1]), ev(10, 'revoked', [1])] }];
  assert.match(replay(partial, 'eager').problems.join('\n'), /eager revokes all/);
  assert.deepEqual(replay(partial, 'cooperative').problems, []);
});

test('consuming from a partition the member does not own is reported', () => {
  const logs: MemberLog[] = [{ name: 'a', events: [ev(0, 'assigned', [0]), ev(10, 'revoked', [0]), ev(11, 'records', undefined, [[0, 7, 'late']])] }];
  assert.match(replay(logs, 'eager').problems.join('\n'), /consumed 0@7 at 11 without owning partition 0/);
});

test('a killed member owns nothing from the kill on, so a later take-over does not overlap', () => {
  const logs: MemberLog[] = [
    { name: 'a', events: [ev(0, 'assigned', [0, 1, 2])], killedAt: 100 },
    { name: 'b', events: [ev(0, 'assigned', [3, 4, 5]), ev(6100, 'revoked', [3, 4, 5]), ev(6110, 'assigned', [0, 1, 2, 3, 4, 5])] },
  ];
  const r = replay(logs, 'eager');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(overlaps(r.intervals), []);
  assert.equal(r.owned.get('a')!.size, 0);
  assert.equal(r.intervals.find((i) => i.member === 'a' && i.partition === 0)!.end, 100);
});
