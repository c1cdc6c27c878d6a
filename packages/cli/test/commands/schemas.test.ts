/**
 * End to end: `tributary start` with the broker and the Schema Registry in one process, driven by
 * `tributary schemas ...` child processes; restart keeps schemas; --roles picks what runs.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  killIfRunning, runCli, startBrokerProcess, startPlatformProcess, startRegistryProcess, tempDir,
  type RunningProcess, type RunResult,
} from '../helpers.ts';

const V1 = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }] });
const V2 = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int', default: 0 }] });
/** Changes a field's type: incompatible under BACKWARD. */
const BAD = JSON.stringify({ type: 'record', name: 'User', fields: [{ name: 'name', type: 'int' }] });
const ADDRESS = JSON.stringify({ type: 'record', name: 'Address', namespace: 'acme', fields: [{ name: 'city', type: 'string' }] });
const PERSON = JSON.stringify({ type: 'record', name: 'Person', namespace: 'acme', fields: [{ name: 'home', type: 'acme.Address' }] });

function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what}: exit ${r.code}, stderr: ${r.stderr}`);
  return r.stdout;
}

test('schemas subcommands against `tributary start` (broker + registry); schemas survive a restart', async () => {
  const dir = tempDir('schemas');
  let platform: RunningProcess | undefined;
  try {
    const p = await startPlatformProcess(dir.path);
    platform = p;
    assert.match(p.stdoutLines.join('\n'), /^tributary: broker \d+ listening on PLAINTEXT:\/\/127\.0\.0\.1:\d+$/m);
    assert.match(p.registryUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.doesNotMatch(p.registryUrl, /:0$/, 'the real port is printed');
    const url = ['--registry-url', p.registryUrl];
    const schemas = (args: string[]): Promise<RunResult> => runCli(['schemas', ...args, ...url]);

    const file = join(dir.path, 'user-v1.avsc');
    writeFileSync(file, V1);
    const id1 = ok(await schemas(['register', 'users-value', '--file', file]), 'register v1').trim();
    assert.match(id1, /^\d+$/);
    assert.equal(ok(await schemas(['register', 'users-copy', '--schema', V1]), 'register copy').trim(), id1, 'same schema, same global id');
    const id2 = ok(await schemas(['register', 'users-value', '--schema', V2]), 'register v2').trim();
    assert.notEqual(id2, id1);

    assert.equal(ok(await schemas(['list']), 'list'), 'users-copy\nusers-value\n');
    assert.equal(ok(await schemas(['list', '--prefix', 'users-v']), 'list --prefix'), 'users-value\n');
    assert.equal(ok(await schemas(['get', 'users-value']), 'get latest'), `${V2}\n`);
    assert.equal(ok(await schemas(['get', 'users-value', '--version', '1']), 'get v1'), `${V1}\n`);
    assert.equal(ok(await schemas(['get', '--id', id1]), 'get --id'), `${V1}\n`);
    assert.deepEqual(JSON.parse(ok(await schemas(['get', 'users-value', '--json']), 'get --json')),
      { subject: 'users-value', version: 2, id: Number(id2), schema: V2 });

    assert.equal(ok(await schemas(['check', 'users-value', '--schema', V2]), 'check compatible'), 'compatible\n');
    const bad = await schemas(['check', 'users-value', '--schema', BAD, '--version', 'latest', '--verbose']);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /^incompatible\n {2}\S/);
    assert.match(bad.stdout, /TYPE_MISMATCH/);
    const rejected = await schemas(['register', 'users-value', '--schema', BAD]);
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /^tributary: Schema being registered is incompatible with an earlier schema for subject "users-value".* \(error code 409\)$/m);
    const invalid = await schemas(['register', 'users-value', '--schema', '{"type":"recrd"}']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^tributary: .*recrd.* \(error code 42201\)$/m);
    const missing = await schemas(['get', 'nobody']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "tributary: Subject 'nobody' not found. (error code 40401)\n");

    const addr = ok(await schemas(['register', 'addr', '--schema', ADDRESS]), 'register addr').trim();
    const person = await schemas(['register', 'person', '--schema', PERSON, '--reference', 'acme.Address=addr:1']);
    assert.match(ok(person, 'register with a reference'), /^\d+\n$/);
    assert.notEqual(person.stdout.trim(), addr);
    assert.deepEqual(JSON.parse(ok(await schemas(['get', 'person', '--json']), 'get person')).references,
      [{ name: 'acme.Address', subject: 'addr', version: 1 }]);

    assert.equal(ok(await schemas(['config']), 'global config'), 'BACKWARD\n');
    assert.equal(ok(await schemas(['config', 'users-value']), 'subject config falls back to global'), 'BACKWARD\n');
    assert.equal(ok(await schemas(['config', 'users-value', '--set', 'none']), 'set subject config'), 'NONE\n');
    assert.equal(ok(await schemas(['config', 'users-value']), 'subject config'), 'NONE\n');
    assert.equal(ok(await schemas(['check', 'users-value', '--schema', BAD]), 'check under NONE'), 'compatible\n');

    assert.equal(ok(await schemas(['delete', 'users-copy']), 'soft delete'), 'deleted subject users-copy version 1\n');
    assert.equal(ok(await schemas(['list']), 'list after delete'), 'addr\nperson\nusers-value\n');
    assert.equal(ok(await schemas(['list', '--deleted']), 'list --deleted'), 'addr\nperson\nusers-copy\nusers-value\n');
    assert.equal(ok(await schemas(['delete', 'users-copy', '--permanent']), 'permanent delete'), 'permanently deleted subject users-copy version 1\n');
    assert.equal(ok(await schemas(['list', '--deleted']), 'list --deleted after purge'), 'addr\nperson\nusers-value\n');
    assert.equal(ok(await schemas(['delete', 'users-value', '--version', '1', '--permanent']), 'delete one version'),
      'permanently deleted subject users-value version 1\n');

    const exit = await p.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null });
    const stderr = p.stderr();
    assert.ok(stderr.indexOf('schema registry stopped') >= 0 && stderr.indexOf('schema registry stopped') < stderr.indexOf('tributary: broker stopped'),
      `registry closes before the broker: ${stderr}`);

    const again = await startPlatformProcess(dir.path);
    platform = again;
    const url2 = ['--registry-url', again.registryUrl];
    assert.equal(ok(await runCli(['schemas', 'get', 'users-value', ...url2]), 'get after restart'), `${V2}\n`);
    assert.equal(ok(await runCli(['schemas', 'get', '--id', id2, ...url2]), 'get id after restart'), `${V2}\n`);
    assert.equal(ok(await runCli(['schemas', 'config', 'users-value', ...url2]), 'config after restart'), 'NONE\n');
    assert.equal(ok(await runCli(['schemas', 'list', ...url2]), 'list after restart'), 'addr\nperson\nusers-value\n');
    assert.equal((await again.stop('SIGTERM')).code, 0);
  } finally {
    killIfRunning(platform);
    dir.remove();
  }
});

test('--roles broker starts no registry; --roles registry serves from an external broker', async () => {
  const dir = tempDir('roles');
  let broker: RunningProcess | undefined;
  let registry: RunningProcess | undefined;
  try {
    const b = await startBrokerProcess(dir.path, ['--roles', 'broker', '--set', 'schema.registry.listeners=http://127.0.0.1:0']);
    broker = b;
    const r = await startRegistryProcess(b.bootstrap);
    registry = r;
    assert.equal(r.stdoutLines.filter((l) => l.includes('broker')).length, 0, 'a registry-only process runs no broker');
    const id = ok(await runCli(['schemas', 'register', 'ext', '--schema', '"string"', '--registry-url', r.registryUrl]), 'register').trim();
    assert.match(id, /^\d+$/);
    assert.equal((await r.stop('SIGTERM')).code, 0);
    assert.match(r.stderr(), /schema registry stopped/);

    const topics = ok(await runCli(['topics', 'list', '--bootstrap-server', b.bootstrap]), 'topics list');
    assert.match(topics, /^_schemas$/m, 'the external registry stored its schemas on the broker');
    assert.equal((await b.stop('SIGTERM')).code, 0);
    assert.doesNotMatch(b.stdoutLines.join('\n'), /schema registry/, 'no registry ready line from --roles broker');
    assert.doesNotMatch(b.stderr(), /schema registry/);
  } finally {
    killIfRunning(registry);
    killIfRunning(broker);
    dir.remove();
  }
});

test('--roles broker alone creates no _schemas topic', async () => {
  const dir = tempDir('brokeronly');
  let broker: RunningProcess | undefined;
  try {
    const b = await startBrokerProcess(dir.path, ['--roles', 'broker']);
    broker = b;
    ok(await runCli(['topics', 'create', 'plain', '--bootstrap-server', b.bootstrap]), 'create');
    assert.equal(ok(await runCli(['topics', 'list', '--bootstrap-server', b.bootstrap]), 'topics list'), 'plain\n');
    assert.equal((await b.stop('SIGTERM')).code, 0);
    assert.doesNotMatch(b.stdoutLines.join('\n'), /schema registry/);
  } finally {
    killIfRunning(broker);
    dir.remove();
  }
});

test('start: an unknown or invalid schema.registry.* key is exit 2 naming it, before anything starts', async () => {
  const dir = tempDir('badregkey');
  try {
    for (const [kv, key] of [['schema.registry.listener=http://127.0.0.1:0', 'schema.registry.listener'],
      ['schema.registry.compatibility.level=SOMETIMES', 'schema.registry.compatibility.level']] as const) {
      const r = await runCli(['start', '--set', `log.dirs=${dir.path}/data`, '--set', kv]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.startsWith('tributary: ') && r.stderr.split('\n')[0]!.includes(key), r.stderr);
      assert.equal(r.stdout, '');
    }
  } finally {
    dir.remove();
  }
});
