import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configKey, decodeRecord, deleteSubjectKey, encodeConfigValue, encodeSchemaValue, modeKey, noopKey, schemaKey } from '../../src/store/records.ts';

test('keys are byte-exact Confluent compact JSON in Confluent field order', () => {
  assert.equal(schemaKey('s', 1), '{"keytype":"SCHEMA","subject":"s","version":1,"magic":1}');
  assert.equal(configKey(null), '{"keytype":"CONFIG","subject":null,"magic":0}');
  assert.equal(configKey('s'), '{"keytype":"CONFIG","subject":"s","magic":0}');
  assert.equal(modeKey(null), '{"keytype":"MODE","subject":null,"magic":0}');
  assert.equal(noopKey(), '{"keytype":"NOOP","magic":0}');
  assert.equal(deleteSubjectKey('s'), '{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}');
});

test('SCHEMA values omit schemaType for AVRO and empty references, and decode back', () => {
  const avro = { subject: 's', version: 1, id: 3, schemaType: 'AVRO' as const, references: [], schema: '"int"', deleted: false };
  assert.equal(encodeSchemaValue(avro), '{"subject":"s","version":1,"id":3,"schema":"\\"int\\"","deleted":false}');
  const proto = { ...avro, schemaType: 'PROTOBUF' as const, references: [{ name: 'a.proto', subject: 'a', version: 2 }] };
  const text = encodeSchemaValue(proto);
  assert.deepEqual(decodeRecord(schemaKey('s', 1), text), { keytype: 'SCHEMA', subject: 's', version: 1, value: proto });
  assert.deepEqual(decodeRecord(schemaKey('s', 1), null), { keytype: 'SCHEMA', subject: 's', version: 1, value: null });
});

test('CONFIG, MODE and unknown records decode; unknown value fields are ignored', () => {
  assert.deepEqual(decodeRecord(configKey('s'), encodeConfigValue('s', { compatibilityLevel: 'FULL' })),
    { keytype: 'CONFIG', subject: 's', value: { compatibilityLevel: 'FULL' } });
  assert.deepEqual(decodeRecord(modeKey(null), '{"mode":"IMPORT","extra":1}'), { keytype: 'MODE', subject: null, value: { mode: 'IMPORT' } });
  assert.deepEqual(decodeRecord('{"keytype":"CONTEXT","tenant":"default","context":".x"}', '{}'), { keytype: 'UNKNOWN' });
  assert.throws(() => decodeRecord('[1]', null));
});
