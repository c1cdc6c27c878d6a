// SchemaRegistryClient against our real registry (and broker), in-process on ephemeral ports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { SchemaRegistryClient } from '../../src/serdes/registry-client.ts';
import { SchemaRegistryError } from '../../src/serdes/errors.ts';
import { countingFetch, startEnv, type Env } from './harness.ts';

let env: Env;
before(async () => { env = await startEnv(); });
after(async () => { await env?.stop(); });

const user = { type: 'record', name: 'User', namespace: 'com.example', fields: [{ name: 'name', type: 'string' }] };
const userV2 = { ...user, fields: [...user.fields, { name: 'age', type: 'int', default: 0 }] };

function isRegistryError(errorCode: number, status: number) {
  return (e: unknown): boolean => e instanceof SchemaRegistryError && e.code === 'REGISTRY_ERROR' && e.errorCode === errorCode && e.status === status;
}

test('register returns the id, caches it per subject and schema; the same schema in another subject gets the same id', async () => {
  const { fetch, calls } = countingFetch();
  const client = new SchemaRegistryClient({ url: env.url, fetch });
  const id = await client.register('rc-user-value', { schema: JSON.stringify(user) });
  assert.equal(await client.register('rc-user-value', { schema: JSON.stringify(user) }), id);
  assert.equal(calls.filter((c) => c.startsWith('POST')).length, 1);
  assert.equal(await client.register('rc-other-value', { schema: JSON.stringify(user), schemaType: 'AVRO' }), id);
  assert.equal(calls.length, 2);
});

test('getSchemaById fetches once, then answers from the cache; concurrent callers share one request', async () => {
  const id = await new SchemaRegistryClient({ url: env.url }).register('rc-json-value', { schema: '{"type":"object"}', schemaType: 'JSON' });
  const { fetch, calls } = countingFetch();
  const client = new SchemaRegistryClient({ url: env.url, fetch });
  const [a, b] = await Promise.all([client.getSchemaById(id), client.getSchemaById(id)]);
  assert.deepEqual(a, b);
  assert.equal(a.schemaType, 'JSON');
  assert.deepEqual(JSON.parse(a.schema), { type: 'object' });
  assert.deepEqual(a.references, []);
  await client.getSchemaById(id);
  assert.deepEqual(calls, [`GET /schemas/ids/${id}`]);
});

test('an AVRO schema (schemaType omitted by the server) comes back as AVRO', async () => {
  const client = new SchemaRegistryClient({ url: env.url });
  const id = await client.register('rc-user-value', { schema: JSON.stringify(user) });
  const s = await new SchemaRegistryClient({ url: env.url }).getSchemaById(id);
  assert.equal(s.schemaType, 'AVRO');
  assert.deepEqual(JSON.parse(s.schema), user);
});

test('getLatest follows new versions (no latest caching by default); lookup finds a version without registering', async () => {
  const client = new SchemaRegistryClient({ url: env.url });
  const v1 = await client.register('rc-evolve-value', { schema: JSON.stringify(user) });
  assert.equal((await client.getLatest('rc-evolve-value')).id, v1);
  const v2 = await client.register('rc-evolve-value', { schema: JSON.stringify(userV2) });
  const latest = await client.getLatest('rc-evolve-value');
  assert.deepEqual([latest.id, latest.version, latest.subject, latest.schemaType], [v2, 2, 'rc-evolve-value', 'AVRO']);
  const found = await client.lookup('rc-evolve-value', { schema: JSON.stringify(user) });
  assert.deepEqual([found.id, found.version], [v1, 1]);
  assert.equal((await client.getVersion('rc-evolve-value', 2)).id, v2);
});

test('latestCacheTtlMs keeps a latest answer for its duration', async () => {
  const { fetch, calls } = countingFetch();
  const client = new SchemaRegistryClient({ url: env.url, fetch, latestCacheTtlMs: 60_000 });
  await client.register('rc-ttl-value', { schema: JSON.stringify(user) });
  await client.getLatest('rc-ttl-value');
  await client.getLatest('rc-ttl-value');
  assert.equal(calls.filter((c) => c.includes('/versions/latest')).length, 1);
});

test('errors carry Confluent error_code and message: unknown id 40403, unknown subject 40401, missing schema 40403, invalid 42201', async () => {
  const client = new SchemaRegistryClient({ url: env.url });
  await assert.rejects(client.getSchemaById(987_654), isRegistryError(40403, 404));
  await assert.rejects(client.getLatest('rc-nobody-value'), isRegistryError(40401, 404));
  await assert.rejects(client.lookup('rc-nobody-value', { schema: JSON.stringify(user) }), isRegistryError(40401, 404));
  await client.register('rc-lookup-value', { schema: JSON.stringify(user) });
  await assert.rejects(client.lookup('rc-lookup-value', { schema: '"string"' }), isRegistryError(40403, 404));
  await assert.rejects(client.register('rc-bad-value', { schema: '{"type":"record"' }), (e: unknown) => isRegistryError(42201, 422)(e) && /./.test((e as Error).message));
  await assert.rejects(client.register('rc-evolve2-value', { schema: JSON.stringify({ ...user, fields: [{ name: 'name', type: 'int' }] }) }).then(async () => {
    await client.register('rc-evolve2-value', { schema: JSON.stringify(user) });
  }), (e: unknown) => e instanceof SchemaRegistryError && e.status === 409);
});

test('a registry that never answers times out with REGISTRY_TIMEOUT; a dead URL is skipped for the next one', async () => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => { sockets.push(s); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const started = Date.now();
    const client = new SchemaRegistryClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 300 });
    await assert.rejects(client.getSchemaById(1), (e: unknown) => e instanceof SchemaRegistryError && e.code === 'REGISTRY_TIMEOUT');
    assert.ok(Date.now() - started < 5_000);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
  // `port` is closed now: connection refused
  const dead = new SchemaRegistryClient({ url: `http://127.0.0.1:${port}` });
  await assert.rejects(dead.getSchemaById(1), (e: unknown) => e instanceof SchemaRegistryError && e.code === 'REGISTRY_UNREACHABLE');
  const failover = new SchemaRegistryClient({ url: [`http://127.0.0.1:${port}`, env.url] });
  assert.ok((await failover.register('rc-failover-value', { schema: '"string"' })) > 0);
});
