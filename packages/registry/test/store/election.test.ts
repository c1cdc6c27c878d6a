import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseLeader } from '../../src/store/election.ts';

const member = (memberId: string, host: string, port: number, eligible = true) =>
  ({ memberId, metadata: Buffer.from(JSON.stringify({ version: 1, host, port, master_eligibility: eligible, scheme: 'http' })) });

test('the eligible member with the smallest URL leads', () => {
  const plan = chooseLeader([member('m2', 'b', 8081), member('m1', 'a', 8081, false), member('m3', 'a', 9000)]);
  assert.equal(plan.error, 0);
  assert.equal(plan.master, 'm3');
  assert.equal(plan.master_identity?.host, 'a');
});

test('duplicate URLs are an error with no leader; no eligible member means no leader', () => {
  assert.deepEqual(chooseLeader([member('m1', 'a', 1), member('m2', 'a', 1)]), { error: 1, master: null, master_identity: null });
  assert.deepEqual(chooseLeader([member('m1', 'a', 1, false)]), { error: 0, master: null, master_identity: null });
});
