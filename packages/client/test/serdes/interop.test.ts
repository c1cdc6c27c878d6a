// Interop with @kafkajs/confluent-schema-registry (3.x) through our registry: their encode → our
// decode and our encode → their decode, for Avro, JSON Schema and Protobuf. kafkajs writes Protobuf
// without the message-index list (and strips leading zero bytes when reading), so their bytes are
// read with `messageIndexes: false`; ours (index [0] = one zero byte) read fine on their side.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { SchemaRegistryClient } from '../../src/serdes/registry-client.ts';
import { AvroSerializer, JsonSerializer, ProtobufSerializer } from '../../src/serdes/serializer.ts';
import { AvroDeserializer, JsonDeserializer, ProtobufDeserializer } from '../../src/serdes/deserializer.ts';
import { startEnv, type Env } from './harness.ts';
import { event, eventAvro, eventJson, eventProto, protoEvent } from './fixtures.ts';

let env: Env;
let ours: SchemaRegistryClient;
let theirs: SchemaRegistry;
before(async () => {
  env = await startEnv();
  ours = new SchemaRegistryClient({ url: env.url });
  theirs = new SchemaRegistry({ host: env.url });
});
after(async () => { await env?.stop(); });

test('Avro: kafkajs encode → our decode, and our encode → kafkajs decode', async () => {
  const { id } = await theirs.register({ type: SchemaType.AVRO, schema: JSON.stringify(eventAvro) }, { subject: 'ix-avro-value' });
  const theirBytes = await theirs.encode(id, event(1));
  assert.deepEqual({ ...(await new AvroDeserializer(ours).deserialize(theirBytes) as object) }, event(1));
  const ourBytes = await new AvroSerializer(ours, { schema: eventAvro }).serialize('ix-avro', event(2));
  assert.equal(ourBytes.readInt32BE(1), id, 'same schema, same id');
  assert.deepEqual(ourBytes, await theirs.encode(id, event(2)), 'byte-identical');
  assert.deepEqual({ ...(await theirs.decode(ourBytes)) }, event(2));
});

test('JSON Schema: kafkajs encode → our decode (validated), and our encode → kafkajs decode', async () => {
  const { id } = await theirs.register({ type: SchemaType.JSON, schema: JSON.stringify(eventJson) }, { subject: 'ix-json-value' });
  const theirBytes = await theirs.encode(id, event(3));
  assert.deepEqual(await new JsonDeserializer(ours, { validate: true }).deserialize(theirBytes), event(3));
  const ourBytes = await new JsonSerializer(ours, { schema: eventJson }).serialize('ix-json', event(4));
  assert.equal(ourBytes.readInt32BE(1), id);
  assert.deepEqual(await theirs.decode(ourBytes), event(4));
});

test('Protobuf: kafkajs encode (no message indexes) → our decode, and our encode (indexes [0]) → kafkajs decode', async () => {
  const { id } = await theirs.register({ type: SchemaType.PROTOBUF, schema: eventProto }, { subject: 'ix-proto-value' });
  const theirBytes = await theirs.encode(id, protoEvent(5));
  const legacy = new ProtobufDeserializer(ours, { messageIndexes: false, toObject: { longs: Number, enums: String } });
  assert.deepEqual(await legacy.deserialize(theirBytes), event(5));
  const ourBytes = await new ProtobufSerializer(ours, { schema: eventProto }).serialize('ix-proto', protoEvent(6));
  assert.equal(ourBytes.readInt32BE(1), id);
  const decoded = (await theirs.decode(ourBytes)) as { toJSON(): Record<string, unknown> };
  assert.deepEqual({ ...decoded.toJSON(), ts: Number(decoded.toJSON()['ts']) }, event(6));
  // And our legacy framing is what kafkajs writes, byte for byte.
  const legacyBytes = await new ProtobufSerializer(ours, { schema: eventProto, messageIndexes: false }).serialize('ix-proto', protoEvent(5));
  assert.deepEqual(legacyBytes, theirBytes);
});
