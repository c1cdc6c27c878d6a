import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeAssignor } from '../../../src/consumer/assignors/range.ts';
import { roundRobinAssignor } from '../../../src/consumer/assignors/roundrobin.ts';
import { cooperativeStickyAssignor, stickyAssign } from '../../../src/consumer/assignors/cooperative-sticky.ts';
import type { GroupAssignment, MemberSubscription, TopicPartition } from '../../../src/consumer/assignors/types.ts';

function member(memberId: string, topics: string[], owned: TopicPartition[] = [], generationId = -1, groupInstanceId: string | null = null): MemberSubscription {
  return { memberId, groupInstanceId, topics, ownedPartitions: owned, generationId, userData: null };
}
const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });
const show = (a: GroupAssignment): Record<string, string[]> =>
  Object.fromEntries([...a].map(([m, list]) => [m, list.map((p) => `${p.topic}-${p.partition}`)]));

test('range: contiguous ranges per topic, the first members take the remainder', () => {
  const a = rangeAssignor.assign([member('c2', ['t0', 't1']), member('c1', ['t0', 't1'])], new Map([['t0', 3], ['t1', 3]]));
  assert.deepEqual(show(a), { c2: ['t0-2', 't1-2'], c1: ['t0-0', 't0-1', 't1-0', 't1-1'] });
});

test('range: only subscribers of a topic share it; static members sort first by instance id', () => {
  const a = rangeAssignor.assign([
    member('a', ['t0']), member('z', ['t0', 't1'], [], -1, 'i1'), member('b', ['t1']),
  ], new Map([['t0', 4], ['t1', 2]]));
  assert.deepEqual(show(a), { a: ['t0-2', 't0-3'], z: ['t0-0', 't0-1', 't1-0'], b: ['t1-1'] });
});

test('roundrobin: partitions sorted by topic then number, dealt in member order skipping non-subscribers', () => {
  const a = roundRobinAssignor.assign([member('c0', ['t0']), member('c1', ['t0', 't1']), member('c2', ['t0', 't1'])], new Map([['t0', 3], ['t1', 3], ['unused', 5]]));
  // Java's documented example (RoundRobinAssignor javadoc, second case).
  assert.deepEqual(show(a), { c0: ['t0-0'], c1: ['t0-1', 't1-0', 't1-2'], c2: ['t0-2', 't1-1'] });
});

test('eager assignors skip topics without metadata and give members with nothing an empty list', () => {
  for (const assignor of [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor]) {
    const a = assignor.assign([member('a', ['missing']), member('b', ['t'])], new Map([['t', 1]]));
    assert.deepEqual(show(a), { a: [], b: ['t-0'] }, assignor.name);
  }
});

test('assignors are deterministic whatever the member order', () => {
  const members = [member('m3', ['a', 'b']), member('m1', ['a']), member('m2', ['b', 'a'])];
  const counts = new Map([['a', 5], ['b', 4]]);
  for (const assignor of [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor]) {
    assert.deepEqual(show(assignor.assign(members, counts)), show(assignor.assign([...members].reverse(), counts)), assignor.name);
  }
});

test('sticky: balanced for identical subscriptions and keeps owned partitions', () => {
  const counts = new Map([['t', 6]]);
  const first = stickyAssign([member('a', ['t']), member('b', ['t']), member('c', ['t'])], counts).assignment;
  for (const list of first.values()) assert.equal(list.length, 2);
  const owned = (id: string): TopicPartition[] => first.get(id)!;
  const next = stickyAssign([member('a', ['t'], owned('a'), 1), member('b', ['t'], owned('b'), 1), member('c', ['t'], owned('c'), 1), member('d', ['t'])], new Map([['t', 8]])).assignment;
  for (const id of ['a', 'b', 'c']) for (const p of owned(id)) assert.ok(next.get(id)!.some((x) => x.partition === p.partition), `${id} keeps ${p.partition}`);
  assert.deepEqual([...next.values()].map((l) => l.length).sort(), [2, 2, 2, 2]);
});

test('cooperative-sticky: a joining member gets only what nobody owned; moved partitions wait for the second round', () => {
  const counts = new Map([['t', 6]]);
  const owned = { a: [tp('t', 0), tp('t', 1)], b: [tp('t', 2), tp('t', 3)], c: [tp('t', 4), tp('t', 5)] };
  const round1 = cooperativeStickyAssignor.assign([
    member('a', ['t'], owned.a, 1), member('b', ['t'], owned.b, 1), member('c', ['t'], owned.c, 1), member('d', ['t']),
  ], counts);
  // d must get 1 or 2 partitions eventually; in round 1 it gets nothing owned by others.
  assert.deepEqual(round1.get('d'), []);
  const revoked = Object.entries(owned).flatMap(([id, list]) => list.filter((p) => !round1.get(id)!.some((x) => x.partition === p.partition)));
  assert.equal(revoked.length, 1, 'exactly one partition moves towards d');
  // Round 2: owners report what they kept.
  const round2 = cooperativeStickyAssignor.assign([
    member('a', ['t'], round1.get('a')!, 2), member('b', ['t'], round1.get('b')!, 2), member('c', ['t'], round1.get('c')!, 2), member('d', ['t'], [], 2),
  ], counts);
  assert.deepEqual(round2.get('d'), revoked);
  for (const id of ['a', 'b', 'c']) assert.deepEqual(round2.get(id), round1.get(id));
});

test('cooperative-sticky: a stale claim from an older generation loses to the current owner', () => {
  const a = cooperativeStickyAssignor.assign([member('old', ['t'], [tp('t', 0)], 3), member('cur', ['t'], [tp('t', 0)], 5)], new Map([['t', 2]]));
  assert.deepEqual(show(a), { old: ['t-1'], cur: ['t-0'] });
});

/** Deterministic PRNG (mulberry32) so a failing seed replays. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('cooperative-sticky property: across member churn no partition ever has two owners, and all end up assigned', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = rng(seed);
    const counts = new Map([['a', 1 + Math.floor(random() * 12)], ['b', 1 + Math.floor(random() * 12)]]);
    const total = counts.get('a')! + counts.get('b')!;
    const owned = new Map<string, TopicPartition[]>();
    let nextId = 0;
    let generation = 0;
    for (let step = 0; step < 25; step++) {
      // Churn: add or remove a member (members leave cleanly: their partitions are free).
      if (owned.size === 0 || (random() < 0.6 && owned.size < 8)) owned.set(`m${String(nextId++).padStart(3, '0')}`, []);
      else if (owned.size > 1) owned.delete([...owned.keys()][Math.floor(random() * owned.size)]!);
      // Rebalance rounds until stable: each member keeps the intersection of owned and assigned.
      for (let round = 0; round < 4; round++) {
        generation++;
        const plan = cooperativeStickyAssignor.assign([...owned].map(([id, list]) => member(id, ['a', 'b'], list, generation - 1)), counts);
        const seen = new Set<string>();
        let revokedAny = false;
        for (const [id, list] of owned) {
          const assigned = plan.get(id)!;
          const kept = list.filter((p) => assigned.some((x) => x.topic === p.topic && x.partition === p.partition));
          if (kept.length < list.length) revokedAny = true;
          const next = [...kept, ...assigned.filter((x) => !kept.some((p) => p.topic === x.topic && p.partition === x.partition))];
          owned.set(id, next);
        }
        // No double ownership right after this round's SyncGroup (before any revocation completes,
        // a partition appears in at most one owned-or-assigned set).
        for (const list of plan.values()) for (const p of list) {
          const k = `${p.topic}-${p.partition}`;
          assert.ok(!seen.has(k), `seed ${seed}: ${k} assigned twice`);
          seen.add(k);
        }
        for (const [id, list] of owned) for (const p of list) {
          const holders = [...owned].filter(([other, l]) => other !== id && l.some((x) => x.topic === p.topic && x.partition === p.partition));
          assert.equal(holders.length, 0, `seed ${seed}: ${p.topic}-${p.partition} owned twice`);
        }
        if (!revokedAny) break;
      }
      const all = [...owned.values()].flat();
      assert.equal(all.length, total, `seed ${seed} step ${step}: every partition assigned`);
      const loads = [...owned.values()].map((l) => l.length);
      assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, `seed ${seed}: balanced ${loads.join(',')}`);
    }
  }
});
