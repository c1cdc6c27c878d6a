// Interop: the two JS Schema Registry clients register, fetch, encode and decode through our registry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { AvroDeserializer, AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { startEnv, type Env } from './harness.ts';
import type { Registry } from '../../src/registry.ts';

let env: Env;
let reg: Registry;

before(async () => {
  env = await startEnv();
  reg = await env.startRegistry();
});
after(async () => { await env?.stop(); });

const userAvro = JSON.stringify({
  type: 'record', name: 'User', namespace: 'com.example',
  fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int' }],
});

test('@kafkajs/confluent-schema-registry: Avro register, encode, decode and evolve', async () => {
  const client = new SchemaRegistry({ host: reg.url });
  const { id } = await client.register({ type: SchemaType.AVRO, schema: userAvro }, { subject: 'kjs-avro-value' });
  const buf = await client.encode(id, { name: 'ada', age: 36 });
  assert.equal(buf[0], 0);
  assert.equal(buf.readInt32BE(1), id);
  assert.deepEqual({ ...(await client.decode(buf)) }, { name: 'ada', age: 36 });
  assert.equal(await client.getLatestSchemaId('kjs-avro-value'), id);
  assert.equal(await client.getRegistryId('kjs-avro-value', 1), id);
  const again = await client.register({ type: SchemaType.AVRO, schema: userAvro }, { subject: 'kjs-avro-value' });
  assert.equal(again.id, id);
  const evolved = JSON.stringify({ ...JSON.parse(userAvro), fields: [...JSON.parse(userAvro).fields, { name: 'email', type: ['null', 'string'], default: null }] });
  const v2 = await client.register({ type: SchemaType.AVRO, schema: evolved }, { subject: 'kjs-avro-value' });
  assert.notEqual(v2.id, id);
  const broken = JSON.stringify({ ...JSON.parse(userAvro), fields: [{ name: 'name', type: 'int' }] });
  await assert.rejects(client.register({ type: SchemaType.AVRO, schema: broken }, { subject: 'kjs-avro-value' }), (err: { status?: number }) => err.status === 409);
});

test('@kafkajs/confluent-schema-registry: JSON Schema and Protobuf encode and decode', async () => {
  const client = new SchemaRegistry({ host: reg.url });
  const jsonSchema = JSON.stringify({ type: 'object', properties: { n: { type: 'number' } }, required: ['n'] });
  const { id: jid } = await client.register({ type: SchemaType.JSON, schema: jsonSchema }, { subject: 'kjs-json-value' });
  assert.deepEqual(await client.decode(await client.encode(jid, { n: 5 })), { n: 5 });
  const proto = 'syntax = "proto3";\npackage ex;\nmessage Point {\n  int32 x = 1;\n  int32 y = 2;\n}\n';
  const { id: pid } = await client.register({ type: SchemaType.PROTOBUF, schema: proto }, { subject: 'kjs-proto-value' });
  const decoded = await client.decode(await client.encode(pid, { x: 1, y: 2 })) as { x: number; y: number };
  assert.deepEqual({ x: decoded.x, y: decoded.y }, { x: 1, y: 2 });
});

test('@confluentinc/schemaregistry: client register, getBySubjectAndId, getLatestSchemaMetadata, Avro serde', async () => {
  const client = new SchemaRegistryClient({ baseURLs: [reg.url], maxRetries: 0 });
  const id = await client.register('cf-avro-value', { schemaType: 'AVRO', schema: userAvro });
  assert.equal(typeof id, 'number');
  const info = await client.getBySubjectAndId('cf-avro-value', id);
  assert.deepEqual(JSON.parse(info.schema), JSON.parse(userAvro));
  const meta = await client.getLatestSchemaMetadata('cf-avro-value');
  assert.equal(meta.id, id);
  assert.equal(meta.version, 1);
  const ser = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
  const bytes = await ser.serialize('cf-avro', { name: 'grace', age: 85 });
  assert.equal(bytes.readInt32BE(1), id);
  const de = new AvroDeserializer(client, SerdeType.VALUE, {});
  assert.deepEqual({ ...(await de.deserialize('cf-avro', bytes)) }, { name: 'grace', age: 85 });
  const auto = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
  const autoBytes = await auto.serialize('cf-auto', { name: 'x', age: 1 });
  assert.ok(autoBytes.readInt32BE(1) > 0);
  assert.deepEqual((await client.getAllSubjects()).includes('cf-auto-value'), true);
});
