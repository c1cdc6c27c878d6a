import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPATIBILITY_LEVELS, checkCompatibility, normalizeSchema, parseSchema, schemaBytesMax, SchemaParseError, type SchemaType } from '../../src/schema/index.ts';

test('COMPATIBILITY_LEVELS lists the seven Confluent levels', () => {
  assert.deepEqual([...COMPATIBILITY_LEVELS].sort(), ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE']);
});

test('unknown schema types, empty and oversized schemas are SchemaParseError', () => {
  assert.throws(() => parseSchema('XML' as SchemaType, '<a/>'), SchemaParseError);
  assert.throws(() => parseSchema('AVRO', '   '), SchemaParseError);
  assert.throws(() => parseSchema('JSON', `"${'x'.repeat(schemaBytesMax)}"`), /larger than/);
});

test('no previous versions means compatible at every level', () => {
  const s = parseSchema('AVRO', '"int"');
  for (const level of COMPATIBILITY_LEVELS) assert.deepEqual(checkCompatibility(level, s, []), { compatible: true, messages: [] });
});

test('normalizeSchema is idempotent for every format', () => {
  const samples: [SchemaType, string][] = [
    ['AVRO', '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"int","default":1}]}'],
    ['JSON', '{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}'],
    ['PROTOBUF', 'syntax = "proto3"; package p; message M { N n = 1; } message N { string s = 1; }'],
  ];
  for (const [type, text] of samples) {
    const once = normalizeSchema(parseSchema(type, text));
    const twice = normalizeSchema(parseSchema(type, once.raw));
    assert.equal(twice.canonical, once.canonical, type);
    assert.equal(once.type, type);
  }
});
