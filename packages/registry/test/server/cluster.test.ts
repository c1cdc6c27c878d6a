// Durability and several instances: state rebuilt from `_schemas` after a restart, leader election
// through the group protocol, followers forwarding writes and serving reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer } from '@tributary/client';
import { call, startEnv, waitFor } from './harness.ts';

const avro = (name: string) => JSON.stringify({ type: 'record', name, fields: [{ name: 'f', type: 'string' }] });

test('registrations, configs and deletes survive a registry and broker restart', async () => {
  const env = await startEnv();
  try {
    let reg = await env.startRegistry();
    const a = await call(reg.url, 'POST', '/subjects/keep-a/versions', { schema: avro('A') });
    const b = await call(reg.url, 'POST', '/subjects/keep-b/versions', { schema: avro('B') });
    await call(reg.url, 'PUT', '/config/keep-a', { compatibility: 'NONE' });
    await call(reg.url, 'POST', '/subjects/gone/versions', { schema: avro('G') });
    await call(reg.url, 'DELETE', '/subjects/gone');
    await env.restartBroker();
    reg = await env.startRegistry();
    assert.deepEqual((await call(reg.url, 'GET', '/subjects')).json, ['keep-a', 'keep-b']);
    assert.deepEqual((await call(reg.url, 'GET', '/subjects?deleted=true')).json, ['gone', 'keep-a', 'keep-b']);
    assert.equal((await call(reg.url, 'GET', '/subjects/keep-a/versions/1')).json.id, a.json.id);
    assert.equal((await call(reg.url, 'GET', '/subjects/keep-b/versions/1')).json.id, b.json.id);
    assert.deepEqual((await call(reg.url, 'GET', '/config/keep-a')).json, { compatibilityLevel: 'NONE' });
    const c = await call(reg.url, 'POST', '/subjects/keep-c/versions', { schema: avro('C') });
    assert.ok(c.json.id > b.json.id, 'ids keep growing after a restart');
  } finally {
    await env.stop();
  }
});

test('_schemas records use Confluent key and value formats', async () => {
  const env = await startEnv();
  try {
    const reg = await env.startRegistry();
    await call(reg.url, 'POST', '/subjects/fmt/versions', { schema: avro('F') });
    await call(reg.url, 'PUT', '/config', { compatibility: 'FULL' });
    const consumer = new Consumer({ bootstrapServers: env.bootstrap, autoOffsetReset: 'earliest' });
    await consumer.connect();
    consumer.assign([{ topic: '_schemas', partition: 0, offset: 0 }]);
    const seen: Array<[string, string | null]> = [];
    await waitFor('records', async () => {
      for (const r of await consumer.poll()) seen.push([r.key!.toString(), r.value?.toString() ?? null]);
      return seen.length >= 2;
    });
    await consumer.close();
    assert.deepEqual(seen[0], ['{"keytype":"SCHEMA","subject":"fmt","version":1,"magic":1}',
      JSON.stringify({ subject: 'fmt', version: 1, id: 1, schema: avro('F'), deleted: false })]);
    assert.deepEqual(seen[1], ['{"keytype":"CONFIG","subject":null,"magic":0}', '{"compatibilityLevel":"FULL"}']);
  } finally {
    await env.stop();
  }
});

test('two instances elect one leader; the follower forwards writes and serves reads; the other takes over on close', async () => {
  const env = await startEnv();
  try {
    const r1 = await env.startRegistry();
    const r2 = await env.startRegistry();
    await waitFor('one leader', () => Number(r1.isLeader()) + Number(r2.isLeader()) === 1 && (r1.isLeader() || r2.isLeader()));
    // both are members of the group now; the leader is the smaller URL
    await waitFor('leader is the smallest URL', () => (r1.url < r2.url ? r1 : r2).isLeader());
    const follower = r1.isLeader() ? r2 : r1;
    const leader = r1.isLeader() ? r1 : r2;
    const reg = await call(follower.url, 'POST', '/subjects/fw/versions', { schema: avro('Fw') });
    assert.equal(reg.status, 200, reg.text);
    await waitFor('follower caught up', async () => (await call(follower.url, 'GET', '/subjects/fw/versions/1')).status === 200);
    assert.equal((await call(leader.url, 'GET', '/subjects/fw/versions/1')).json.id, reg.json.id);
    assert.deepEqual((await call(follower.url, 'PUT', '/config/fw', { compatibility: 'FULL' })).json, { compatibility: 'FULL' });
    await leader.close();
    env.registries.splice(env.registries.indexOf(leader), 1);
    await waitFor('follower becomes leader', () => follower.isLeader(), 30_000);
    const again = await call(follower.url, 'POST', '/subjects/fw2/versions', { schema: avro('Fw2') });
    assert.equal(again.status, 200, again.text);
    assert.ok(again.json.id > reg.json.id);
  } finally {
    await env.stop();
  }
});

test('an instance that is not leader-eligible never leads and answers writes with 50004 when alone', async () => {
  const env = await startEnv();
  try {
    const r = await env.startRegistry({ leaderEligibility: false });
    await new Promise((res) => setTimeout(res, 1000));
    assert.equal(r.isLeader(), false);
    const w = await call(r.url, 'PUT', '/config', { compatibility: 'FULL' });
    assert.deepEqual([w.status, w.json.error_code], [500, 50004]);
    assert.equal((await call(r.url, 'GET', '/config')).status, 200);
  } finally {
    await env.stop();
  }
});
