// REST API over HTTP against a real broker: every endpoint's shape and Confluent's error codes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startEnv, type Env } from './harness.ts';
import type { Registry } from '../../src/registry.ts';

let env: Env;
let reg: Registry;
const get = (path: string, headers?: Record<string, string>) => call(reg.url, 'GET', path, undefined, headers);
const post = (path: string, body: unknown, headers?: Record<string, string>) => call(reg.url, 'POST', path, body, headers);
const put = (path: string, body: unknown, headers?: Record<string, string>) => call(reg.url, 'PUT', path, body, headers);
const del = (path: string) => call(reg.url, 'DELETE', path);

const avro = (name: string, fields: unknown[] = [{ name: 'f1', type: 'string' }]) => JSON.stringify({ type: 'record', name, fields });

before(async () => {
  env = await startEnv();
  reg = await env.startRegistry();
});
after(async () => { await env?.stop(); });

test('GET / answers {} and metadata id names the Kafka cluster', async () => {
  assert.deepEqual((await get('/')).json, {});
  const meta = await get('/v1/metadata/id');
  assert.equal(meta.status, 200);
  assert.deepEqual(meta.json.scope.path, []);
  assert.equal(typeof meta.json.scope.clusters['kafka-cluster'], 'string');
});

test('register returns {id}; same schema in another subject gets the same id; same again makes no new version', async () => {
  const a = await post('/subjects/reg-a/versions', { schema: avro('R1') });
  assert.equal(a.status, 200);
  assert.deepEqual(Object.keys(a.json), ['id']);
  const b = await post('/subjects/reg-b/versions', { schema: avro('R1'), unknownField: 1, metadata: null, ruleSet: null });
  assert.equal(b.json.id, a.json.id);
  const again = await post('/subjects/reg-a/versions', { schema: avro('R1') });
  assert.equal(again.json.id, a.json.id);
  assert.deepEqual((await get('/subjects/reg-a/versions')).json, [1]);
  const other = await post('/subjects/reg-a/versions', { schema: avro('R1', [{ name: 'f1', type: 'string' }, { name: 'f2', type: 'int', default: 0 }]) });
  assert.notEqual(other.json.id, a.json.id);
  assert.deepEqual((await get('/subjects/reg-a/versions')).json, [1, 2]);
});

test('version endpoints: latest, -1, numeric, /schema raw, deleted listing', async () => {
  const { json: { id } } = await post('/subjects/ver/versions', { schema: avro('V') });
  const latest = await get('/subjects/ver/versions/latest');
  assert.deepEqual(latest.json, { subject: 'ver', version: 1, id, schema: avro('V') });
  assert.deepEqual((await get('/subjects/ver/versions/-1')).json, latest.json);
  assert.deepEqual((await get('/subjects/ver/versions/1')).json, latest.json);
  const raw = await get('/subjects/ver/versions/1/schema');
  assert.equal(raw.text, avro('V'));
  assert.equal((await get('/subjects/ver/versions/2')).json.error_code, 40402);
  assert.ok((await get('/subjects')).json.includes('ver'));
  assert.deepEqual((await get('/subjects?subjectPrefix=ve')).json, ['ver']);
});

test('lookup POST /subjects/{s} returns the version object, 40401 / 40403 otherwise', async () => {
  const { json: { id } } = await post('/subjects/look/versions', { schema: avro('L') });
  const hit = await post('/subjects/look', { schema: avro('L') });
  assert.deepEqual(hit.json, { subject: 'look', version: 1, id, schema: avro('L') });
  assert.equal((await post('/subjects/look', { schema: avro('Other') })).json.error_code, 40403);
  const missing = await post('/subjects/nope-look', { schema: avro('L') });
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error_code, 40401);
});

test('schemas by id: object, raw, versions, subjects; unknown id 40403; non-integer id 404', async () => {
  const { json: { id } } = await post('/subjects/byid-1/versions', { schema: avro('ById') });
  await post('/subjects/byid-2/versions', { schema: avro('ById') });
  assert.deepEqual((await get(`/schemas/ids/${id}`)).json, { schema: avro('ById') });
  assert.deepEqual((await get(`/schemas/ids/${id}?subject=byid-1`)).json, { schema: avro('ById') });
  assert.equal((await get(`/schemas/ids/${id}/schema`)).text, avro('ById'));
  assert.deepEqual((await get(`/schemas/ids/${id}/versions`)).json, [{ subject: 'byid-1', version: 1 }, { subject: 'byid-2', version: 1 }]);
  assert.deepEqual((await get(`/schemas/ids/${id}/subjects`)).json, ['byid-1', 'byid-2']);
  const unknown = await get('/schemas/ids/99999');
  assert.deepEqual([unknown.status, unknown.json.error_code], [404, 40403]);
  assert.deepEqual((await get('/schemas/ids/abc')).json, { error_code: 404, message: 'HTTP 404 Not Found' });
  assert.deepEqual(new Set((await get('/schemas/types')).json), new Set(['AVRO', 'JSON', 'PROTOBUF']));
});

test('JSON and PROTOBUF schemas carry schemaType; references resolve and are listed by referencedby', async () => {
  const js = await post('/subjects/json-s/versions', { schemaType: 'JSON', schema: JSON.stringify({ type: 'object', properties: { a: { type: 'string' } } }) });
  assert.equal(js.status, 200);
  assert.equal((await get(`/schemas/ids/${js.json.id}`)).json.schemaType, 'JSON');
  assert.equal((await get('/subjects/json-s/versions/1')).json.schemaType, 'JSON');
  await post('/subjects/ref-base/versions', { schema: JSON.stringify({ type: 'record', name: 'Base', namespace: 'x', fields: [{ name: 'a', type: 'int' }] }) });
  const user = await post('/subjects/ref-user/versions', {
    schema: JSON.stringify({ type: 'record', name: 'User', namespace: 'x', fields: [{ name: 'b', type: 'x.Base' }] }),
    references: [{ name: 'x.Base', subject: 'ref-base', version: 1 }],
  });
  assert.equal(user.status, 200, user.text);
  assert.deepEqual((await get(`/schemas/ids/${user.json.id}`)).json.references, [{ name: 'x.Base', subject: 'ref-base', version: 1 }]);
  assert.deepEqual((await get('/subjects/ref-base/versions/1/referencedby')).json, [user.json.id]);
  const blocked = await del('/subjects/ref-base/versions/1');
  assert.equal(blocked.json.error_code, 42206);
  const badRef = await post('/subjects/ref-bad/versions', { schema: avro('Z'), references: [{ name: 'q', subject: 'none', version: 1 }] });
  assert.equal(badRef.json.error_code, 42201);
});

test('soft and permanent deletes of versions and subjects', async () => {
  await post('/subjects/del/versions', { schema: avro('D') });
  await put('/config/del', { compatibility: 'NONE' });
  await post('/subjects/del/versions', { schema: avro('D2') });
  assert.equal((await del('/subjects/del/versions/1?permanent=true')).json.error_code, 40407);
  assert.equal((await del('/subjects/del/versions/1')).json, 1);
  assert.equal((await del('/subjects/del/versions/1')).json.error_code, 40406);
  assert.deepEqual((await get('/subjects/del/versions')).json, [2]);
  assert.deepEqual((await get('/subjects/del/versions?deleted=true')).json, [1, 2]);
  assert.equal((await get('/subjects/del/versions/1')).json.error_code, 40402);
  assert.equal((await get('/subjects/del/versions/1?deleted=true')).json.version, 1);
  assert.equal((await del('/subjects/del/versions/1?permanent=true')).json, 1);
  assert.equal((await del('/subjects/del?permanent=true')).json.error_code, 40405);
  assert.deepEqual((await del('/subjects/del')).json, [2]);
  assert.equal((await del('/subjects/del')).json.error_code, 40404);
  assert.ok(!(await get('/subjects')).json.includes('del'));
  assert.ok((await get('/subjects?deleted=true')).json.includes('del'));
  const again = await post('/subjects/del/versions', { schema: avro('D2') });
  assert.equal(again.status, 200);
  assert.deepEqual((await get('/subjects/del/versions')).json, [3]);
  assert.deepEqual((await del('/subjects/del')).json, [3]);
  // re-registering D2 tombstoned the soft-deleted version 2 that held the same id (Confluent does too)
  assert.deepEqual((await get('/subjects/del/versions?deleted=true')).json, [3]);
  assert.deepEqual((await del('/subjects/del?permanent=true')).json, [3]);
  assert.equal((await get('/subjects/del/versions?deleted=true')).json.error_code, 40401);
  assert.equal((await get('/config/del')).json.error_code, 40408);
  assert.equal((await del('/subjects/never')).json.error_code, 40401);
});

test('config: global GET/PUT/DELETE and per subject with 40408 and defaultToGlobal', async () => {
  assert.deepEqual((await get('/config')).json, { compatibilityLevel: 'BACKWARD' });
  assert.deepEqual((await put('/config', { compatibility: 'FULL' })).json, { compatibility: 'FULL' });
  assert.deepEqual((await get('/config')).json, { compatibilityLevel: 'FULL' });
  assert.deepEqual((await del('/config')).json, { compatibilityLevel: 'FULL' });
  assert.deepEqual((await get('/config')).json, { compatibilityLevel: 'BACKWARD' });
  const none = await get('/config/cfg');
  assert.deepEqual([none.status, none.json.error_code], [404, 40408]);
  assert.deepEqual((await get('/config/cfg?defaultToGlobal=true')).json, { compatibilityLevel: 'BACKWARD' });
  assert.deepEqual((await put('/config/cfg', { compatibility: 'forward_transitive' })).json, { compatibility: 'FORWARD_TRANSITIVE' });
  assert.deepEqual((await get('/config/cfg')).json, { compatibilityLevel: 'FORWARD_TRANSITIVE' });
  assert.deepEqual((await del('/config/cfg')).json, { compatibilityLevel: 'FORWARD_TRANSITIVE' });
  assert.equal((await get('/config/cfg')).json.error_code, 40408);
});

test('compatibility checks: latest, numeric, all versions, verbose messages, 409 on register', async () => {
  await post('/subjects/compat/versions', { schema: avro('C') });
  const breaking = avro('C', [{ name: 'f1', type: 'string' }, { name: 'f2', type: 'string' }]);
  const fine = avro('C', [{ name: 'f1', type: 'string' }, { name: 'f2', type: 'string', default: 'x' }]);
  assert.deepEqual((await post('/compatibility/subjects/compat/versions/latest', { schema: fine })).json, { is_compatible: true });
  assert.deepEqual((await post('/compatibility/subjects/compat/versions/1', { schema: breaking })).json, { is_compatible: false });
  const verbose = await post('/compatibility/subjects/compat/versions?verbose=true', { schema: breaking });
  assert.equal(verbose.json.is_compatible, false);
  assert.ok(Array.isArray(verbose.json.messages) && verbose.json.messages.length > 0);
  assert.deepEqual((await post('/compatibility/subjects/compat-missing/versions/latest', { schema: breaking })).json, { is_compatible: true });
  assert.equal((await post('/compatibility/subjects/compat/versions/7', { schema: fine })).json.error_code, 40402);
  const rejected = await post('/subjects/compat/versions', { schema: breaking });
  assert.equal(rejected.status, 409);
  assert.equal(rejected.json.error_code, 409);
  assert.match(rejected.json.message, /^Schema being registered is incompatible with an earlier schema for subject "compat"/);
  const invalidVerbose = await post('/compatibility/subjects/compat/versions/latest?verbose=true', { schema: '{bad' });
  assert.equal(invalidVerbose.json.is_compatible, false);
});

test('modes: READONLY blocks writes with 42205; IMPORT registers with explicit id and version', async () => {
  assert.deepEqual((await get('/mode')).json, { mode: 'READWRITE' });
  assert.equal((await get('/mode/ro')).json.error_code, 40409);
  assert.deepEqual((await put('/mode/ro', { mode: 'READONLY' })).json, { mode: 'READONLY' });
  assert.deepEqual((await get('/mode/ro')).json, { mode: 'READONLY' });
  assert.equal((await post('/subjects/ro/versions', { schema: avro('RO') })).json.error_code, 42205);
  assert.deepEqual((await del('/mode/ro')).json, { mode: 'READONLY' });
  assert.equal((await post('/subjects/ro/versions', { schema: avro('RO') })).status, 200);
  assert.equal((await put('/mode/ro', { mode: 'IMPORT' })).json.error_code, 42205);
  assert.equal((await put('/mode', { mode: 'BOGUS' })).json.error_code, 42204);
  assert.equal((await put('/mode/imp', { mode: 'IMPORT' })).status, 200);
  const imported = await post('/subjects/imp/versions', { schema: avro('Imp'), id: 5000, version: 7 });
  assert.deepEqual(imported.json, { id: 5000 });
  assert.deepEqual((await get('/subjects/imp/versions')).json, [7]);
  assert.equal((await post('/subjects/imp/versions', { schema: avro('Imp2') })).json.error_code, 42205);
  assert.equal((await post('/subjects/imp/versions', { schema: avro('Imp2'), id: 5000 })).json.error_code, 42205);
  await put('/mode/imp', { mode: 'READWRITE' });
  assert.equal((await post('/subjects/rw/versions', { schema: avro('Rw'), id: 6000 })).json.error_code, 42205);
  const next = await post('/subjects/after-import/versions', { schema: avro('AfterImport') });
  assert.ok(next.json.id > 5000, 'new ids go above imported ones');
});

test('listing schemas with /schemas and latestOnly', async () => {
  await post('/subjects/list-x/versions', { schema: avro('LX') });
  const all = await get('/schemas?subjectPrefix=list-x');
  assert.equal(all.json.length, 1);
  assert.equal(all.json[0].subject, 'list-x');
});

// ---- bad input ----

test('invalid schema → 422 / 42201 with the parser message', async () => {
  const r = await post('/subjects/bad/versions', { schema: '{"type":"record","name":"x","fields":[{"name":"a","type":"nosuchtype"}]}' });
  assert.equal(r.status, 422);
  assert.equal(r.json.error_code, 42201);
  assert.ok(r.json.message.length > 0);
  assert.equal((await post('/subjects/bad/versions', { schema: '' })).json.error_code, 42201);
  assert.equal((await post('/subjects/bad/versions', { schema: avro('B'), schemaType: 'XML' })).json.error_code, 42201);
});

test('invalid version → 422 / 42202', async () => {
  await post('/subjects/badver/versions', { schema: avro('BV') });
  for (const v of ['0', 'abc', '2147483648']) {
    const r = await get(`/subjects/badver/versions/${v}`);
    assert.deepEqual([r.status, r.json.error_code], [422, 42202]);
    assert.equal(r.json.message, `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`);
  }
});

test('unknown subject → 404 / 40401', async () => {
  const r = await get('/subjects/no-such-subject/versions');
  assert.deepEqual(r.json, { error_code: 40401, message: "Subject 'no-such-subject' not found." });
  assert.equal(r.status, 404);
  assert.equal((await get('/subjects/no-such-subject/versions/latest')).json.error_code, 40401);
});

test('bad compatibility level → 422 / 42203', async () => {
  const r = await put('/config', { compatibility: 'SIDEWAYS' });
  assert.deepEqual([r.status, r.json.error_code], [422, 42203]);
  assert.equal((await put('/config/x', { compatibility: 7 })).json.error_code, 42203);
});

test('malformed JSON → 422 / 422', async () => {
  const r = await post('/subjects/mal/versions', '{"schema": ');
  assert.deepEqual([r.status, r.json.error_code], [422, 422]);
  assert.equal((await post('/subjects/mal/versions', '[1,2]')).status, 422);
  assert.equal((await post('/subjects/mal/versions', { schema: 12 })).status, 422);
});

test('wrong content type → 415', async () => {
  const r = await put('/config', { compatibility: 'FULL' }, { 'content-type': 'text/html' });
  assert.deepEqual([r.status, r.json], [415, { error_code: 415, message: 'HTTP 415 Unsupported Media Type' }]);
  assert.equal((await put('/config', { compatibility: 'BACKWARD' }, { 'content-type': 'application/octet-stream' })).status, 200);
});

test('content negotiation: default v1, application/json honoured, not acceptable → 406', async () => {
  for (const accept of ['*/*', '*', 'application/*', 'application/vnd.schemaregistry.v1+json']) {
    assert.equal((await get('/config', { accept })).contentType, 'application/vnd.schemaregistry.v1+json', accept);
  }
  assert.equal((await get('/config', { accept: 'application/json' })).contentType, 'application/json');
  assert.equal((await get('/config', { accept: 'application/vnd.schemaregistry+json' })).contentType, 'application/vnd.schemaregistry+json');
  for (const accept of ['application/vnd.schemaregistry.v2+json', 'text/*']) {
    const r = await get('/config', { accept });
    assert.deepEqual([r.status, r.json], [406, { error_code: 406, message: 'HTTP 406 Not Acceptable' }]);
  }
});

test('a UTF-16 body with its charset is decoded', async () => {
  const body = Buffer.from(JSON.stringify({ compatibility: 'BACKWARD' }), 'utf16le');
  const res = await fetch(`${reg.url}/config`, { method: 'PUT', headers: { 'content-type': 'application/json; charset=utf-16le' }, body });
  assert.equal(res.status, 200);
});

test('unknown route → 404, wrong method → 405', async () => {
  assert.deepEqual((await get('/nope')).json, { error_code: 404, message: 'HTTP 404 Not Found' });
  assert.equal((await call(reg.url, 'PATCH', '/config', {})).status, 405);
});

test('concurrent registrations of one schema get one id and one version', async () => {
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    post(i % 2 === 0 ? '/subjects/conc-a/versions' : '/subjects/conc-b/versions', { schema: avro('Conc') })));
  const ids = new Set(answers.map((a) => a.json.id));
  assert.equal(ids.size, 1);
  assert.deepEqual((await get('/subjects/conc-a/versions')).json, [1]);
  assert.deepEqual((await get('/subjects/conc-b/versions')).json, [1]);
});
