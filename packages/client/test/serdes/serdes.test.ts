// Serdes against our real registry and broker: round trips per format and subject name strategy,
// useLatest / lookup modes, Avro evolution, validation, unknown ids, and records through the broker.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistryClient } from '../../src/serdes/registry-client.ts';
import { SchemaRegistryError, SerdeError } from '../../src/serdes/errors.ts';
import { AvroSerializer, JsonSerializer, ProtobufSerializer } from '../../src/serdes/serializer.ts';
import { AvroDeserializer, JsonDeserializer, ProtobufDeserializer } from '../../src/serdes/deserializer.ts';
import type { SubjectNameStrategy } from '../../src/serdes/subject-name.ts';
import { Producer } from '../../src/producer/producer.ts';
import { Consumer } from '../../src/consumer/consumer.ts';
import { startEnv, type Env } from './harness.ts';
import { event, eventAvro, eventJson, eventProto, protoEvent } from './fixtures.ts';

let env: Env;
let registry: SchemaRegistryClient;
before(async () => {
  env = await startEnv();
  registry = new SchemaRegistryClient({ url: env.url });
});
after(async () => { await env?.stop(); });

const serdeError = (code: string) => (e: unknown): boolean => e instanceof SerdeError && e.code === code;

const STRATEGIES: Array<[SubjectNameStrategy, (topic: string, record: string) => string]> = [
  ['topic', (t) => `${t}-value`],
  ['record', (_t, r) => r],
  ['topic-record', (t, r) => `${t}-${r}`],
];

for (const [strategy, expected] of STRATEGIES) {
  test(`Avro round trip, ${strategy} strategy registers under ${expected('<topic>', '<record>')}`, async () => {
    const topic = `avro-${strategy}`;
    const ser = new AvroSerializer(registry, { schema: eventAvro, subjectNameStrategy: strategy });
    const bytes = await ser.serialize(topic, event(1));
    const latest = await registry.getLatest(expected(topic, 'com.tributary.avro.Event'));
    assert.deepEqual([bytes[0], bytes.readInt32BE(1)], [0, latest.id]);
    assert.deepEqual({ ...(await new AvroDeserializer(registry).deserialize(bytes) as object) }, event(1));
  });

  test(`JSON round trip, ${strategy} strategy (record name from the title)`, async () => {
    const topic = `json-${strategy}`;
    const ser = new JsonSerializer(registry, { schema: eventJson, subjectNameStrategy: strategy });
    const bytes = await ser.serialize(topic, event(2));
    const latest = await registry.getLatest(expected(topic, 'com.tributary.json.Event'));
    assert.equal(latest.schemaType, 'JSON');
    assert.equal(bytes.readInt32BE(1), latest.id);
    assert.deepEqual(JSON.parse(bytes.subarray(5).toString()), event(2));
    assert.deepEqual(await new JsonDeserializer(registry, { validate: true }).deserialize(bytes), event(2));
  });

  test(`Protobuf round trip, ${strategy} strategy, first and nested messages with their indexes`, async () => {
    const topic = `proto-${strategy}`;
    const ser = new ProtobufSerializer(registry, { schema: eventProto, subjectNameStrategy: strategy });
    const bytes = await ser.serialize(topic, protoEvent(3));
    const latest = await registry.getLatest(expected(topic, 'com.tributary.proto.Event'));
    assert.equal(latest.schemaType, 'PROTOBUF');
    assert.equal(bytes.readInt32BE(1), latest.id);
    assert.equal(bytes[5], 0, 'index path [0] is the single byte 0');
    const de = new ProtobufDeserializer(registry, { toObject: { longs: Number, enums: String } });
    assert.deepEqual(await de.deserialize(bytes), event(3));
    const inner = new ProtobufSerializer(registry, { schema: eventProto, subjectNameStrategy: strategy, messageName: 'Envelope.Inner' });
    const innerBytes = await inner.serialize(topic, { note: 'hi', n: 7 });
    assert.deepEqual([...innerBytes.subarray(5, 8)], [4, 2, 0], 'index path [1, 0]');
    assert.deepEqual(await de.deserialize(innerBytes), { note: 'hi', n: 7 });
    if (strategy !== 'topic') await registry.getLatest(expected(topic, 'com.tributary.proto.Envelope.Inner'));
  });
}

test('key serializers use the -key subject', async () => {
  const ser = new AvroSerializer(registry, { schema: '"string"', isKey: true });
  const bytes = await ser.serialize('keyed', 'k1');
  assert.equal((await registry.getLatest('keyed-key')).id, bytes.readInt32BE(1));
  assert.equal(await new AvroDeserializer(registry).deserialize(bytes), 'k1');
});

test('useLatest writes with the subject latest version; autoRegister=false looks the schema up and fails on an unregistered subject', async () => {
  const writer = new AvroSerializer(registry, { schema: eventAvro });
  const id = (await writer.serialize('latest-t', event(4))).readInt32BE(1);
  const latest = new AvroSerializer(registry, { useLatest: true });
  assert.equal((await latest.serialize('latest-t', event(5))).readInt32BE(1), id);
  const lookupOnly = new AvroSerializer(registry, { schema: eventAvro, autoRegister: false });
  assert.equal((await lookupOnly.serialize('latest-t', event(6))).readInt32BE(1), id);
  await assert.rejects(lookupOnly.serialize('never-registered', event(6)), (e: unknown) => e instanceof SchemaRegistryError && e.errorCode === 40401);
  assert.throws(() => new AvroSerializer(registry, {}), serdeError('INVALID_CONFIG'));
  assert.throws(() => new AvroSerializer(registry, { useLatest: true, subjectNameStrategy: 'record' }), serdeError('INVALID_CONFIG'));
});

test('Avro evolution: a record written with v1 reads with a v2 reader schema, the new field defaulted', async () => {
  const v1 = { type: 'record', name: 'User', namespace: 'evo', fields: [{ name: 'name', type: 'string' }] };
  const v2 = { ...v1, fields: [...v1.fields, { name: 'age', type: 'int', default: 42 }, { name: 'email', type: ['null', 'string'], default: null }] };
  const bytesV1 = await new AvroSerializer(registry, { schema: v1 }).serialize('evo', { name: 'ada' });
  await new AvroSerializer(registry, { schema: v2 }).serialize('evo', { name: 'bob', age: 1, email: null });
  const reader = new AvroDeserializer(registry, { readerSchema: v2 });
  assert.deepEqual({ ...(await reader.deserialize(bytesV1) as object) }, { name: 'ada', age: 42, email: null });
  assert.deepEqual({ ...(await new AvroDeserializer(registry).deserialize(bytesV1) as object) }, { name: 'ada' });
  const incompatible = new AvroDeserializer(registry, { readerSchema: { ...v1, fields: [{ name: 'other', type: 'int' }] } });
  await assert.rejects(incompatible.deserialize(bytesV1), serdeError('INVALID_SCHEMA'));
});

test('an unknown schema id is a SchemaRegistryError with error_code 40403', async () => {
  const bytes = Buffer.from([0, 0, 0x0f, 0x42, 0x3f, 2, 0x61]);
  for (const de of [new AvroDeserializer(registry), new JsonDeserializer(registry), new ProtobufDeserializer(registry)]) {
    await assert.rejects(de.deserialize(bytes), (e: unknown) => e instanceof SchemaRegistryError && e.errorCode === 40403 && e.status === 404);
  }
  await assert.rejects(new AvroDeserializer(registry).deserialize(Buffer.from('plain text')), serdeError('UNKNOWN_MAGIC_BYTE'));
});

test('bad values and payloads: VALIDATION_FAILED on serialize, optional validation on deserialize, INVALID_PAYLOAD, SCHEMA_TYPE_MISMATCH', async () => {
  await assert.rejects(new AvroSerializer(registry, { schema: eventAvro }).serialize('bad', { ...event(1), count: 'x' }), serdeError('VALIDATION_FAILED'));
  await assert.rejects(new JsonSerializer(registry, { schema: eventJson }).serialize('bad-json', { ...event(1), extra: 1 }), serdeError('VALIDATION_FAILED'));
  await assert.rejects(new ProtobufSerializer(registry, { schema: eventProto }).serialize('bad-proto', { ...protoEvent(1), count: 'x' }), serdeError('VALIDATION_FAILED'));
  const loose = await new JsonSerializer(registry, { schema: eventJson, validate: false }).serialize('bad-json', { id: 1 });
  assert.deepEqual(await new JsonDeserializer(registry).deserialize(loose), { id: 1 });
  await assert.rejects(new JsonDeserializer(registry, { validate: true }).deserialize(loose), serdeError('VALIDATION_FAILED'));
  const good = await new AvroSerializer(registry, { schema: eventAvro }).serialize('bad', event(1));
  await assert.rejects(new AvroDeserializer(registry).deserialize(good.subarray(0, good.length - 3)), serdeError('INVALID_PAYLOAD'));
  await assert.rejects(new AvroDeserializer(registry).deserialize(Buffer.concat([good, Buffer.from([1])])), serdeError('INVALID_PAYLOAD'));
  await assert.rejects(new JsonDeserializer(registry).deserialize(good), serdeError('SCHEMA_TYPE_MISMATCH'));
  const proto = await new ProtobufSerializer(registry, { schema: eventProto }).serialize('bad-proto', protoEvent(1));
  const badIndex = Buffer.concat([proto.subarray(0, 5), Buffer.from([2, 18]), proto.subarray(6)]);
  await assert.rejects(new ProtobufDeserializer(registry).deserialize(badIndex), serdeError('INVALID_PAYLOAD'));
});

test('schema references: an Avro record using a named type from another subject', async () => {
  const address = { type: 'record', name: 'Address', namespace: 'refs', fields: [{ name: 'city', type: 'string' }] };
  await registry.register('refs.Address', { schema: JSON.stringify(address) });
  const person = { type: 'record', name: 'Person', namespace: 'refs', fields: [{ name: 'name', type: 'string' }, { name: 'home', type: 'refs.Address' }] };
  const ser = new AvroSerializer(registry, { schema: person, references: [{ name: 'refs.Address', subject: 'refs.Address', version: 1 }] });
  const bytes = await ser.serialize('people', { name: 'ada', home: { city: 'London' } });
  const out = await new AvroDeserializer(registry).deserialize(bytes) as { name: string; home: { city: string } };
  assert.deepEqual([out.name, out.home.city], ['ada', 'London']);
});

test('serialized records go through the broker and deserialize on the consumer side, for each format', async () => {
  const topic = 'serdes-e2e';
  const serializers = [
    new AvroSerializer(registry, { schema: eventAvro }),
    new JsonSerializer(registry, { schema: eventJson, subjectNameStrategy: 'topic-record' }),
    new ProtobufSerializer(registry, { schema: eventProto, subjectNameStrategy: 'record' }),
  ];
  const producer = new Producer({ bootstrapServers: env.bootstrap, lingerMs: 1 });
  await producer.connect();
  const messages = [];
  for (let i = 0; i < 30; i++) {
    const value = i % 3 === 2 ? protoEvent(i) : event(i);
    messages.push({ value: await serializers[i % 3]!.serialize(topic, value), headers: { format: String(i % 3) } });
  }
  await producer.send({ topic, messages });
  await producer.close();
  const consumer = new Consumer({ bootstrapServers: env.bootstrap, maxWaitMs: 100 });
  await consumer.connect();
  const records = [];
  const deadline = Date.now() + 20_000;
  try {
    consumer.assign([{ topic, partition: 0, offset: 0 }]);
    while (records.length < 30 && Date.now() < deadline) records.push(...await consumer.poll());
  } finally {
    await consumer.close();
  }
  assert.equal(records.length, 30);
  const deserializers = [new AvroDeserializer(registry), new JsonDeserializer(registry, { validate: true }), new ProtobufDeserializer(registry, { toObject: { longs: Number, enums: String } })];
  for (const [i, r] of records.entries()) {
    const got = await deserializers[i % 3]!.deserialize(r.value!);
    assert.deepEqual({ ...(got as object) }, event(i));
  }
});
