import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avroType, normalizeSchema, parseSchema, SchemaParseError, checkCompatibility } from '../../src/schema/index.ts';

test('canonical text is Java-Avro toString: attribute order fixed, whitespace gone', () => {
  const a = parseSchema('AVRO', `{
    "fields": [ {"type": "string", "name": "f1", "doc": "d", "default": "x"} ],
    "namespace": "com.acme", "name": "R", "type": "record", "doc": "top"
  }`);
  const b = parseSchema('AVRO', '{"type":"record","name":"R","namespace":"com.acme","doc":"top","fields":[{"name":"f1","type":"string","default":"x","doc":"d"}]}');
  assert.equal(a.canonical, '{"type":"record","name":"R","namespace":"com.acme","doc":"top","fields":[{"name":"f1","type":"string","doc":"d","default":"x"}]}');
  assert.equal(a.canonical, b.canonical);
});

test('canonical text writes primitives without props as names and keeps custom props', () => {
  const p = parseSchema('AVRO', '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"int"}},{"name":"b","type":{"type":"int","logicalType":"date"}},{"name":"c","type":"long","custom":1}]}');
  assert.equal(p.canonical, '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":{"type":"int","logicalType":"date"}},{"name":"c","type":"long","custom":1}]}');
  assert.equal(parseSchema('AVRO', ' "string" ').canonical, '"string"');
});

test('canonical text writes names relative to the enclosing namespace', () => {
  const p = parseSchema('AVRO', JSON.stringify({
    type: 'record', name: 'a.R', fields: [
      { name: 'e', type: { type: 'enum', name: 'E', symbols: ['X'] } },
      { name: 'e2', type: 'a.E' },
      { name: 'o', type: { type: 'fixed', name: 'b.F', size: 2 } },
    ],
  }));
  assert.equal(p.canonical, '{"type":"record","name":"R","namespace":"a","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["X"]}},{"name":"e2","type":"E"},{"name":"o","type":{"type":"fixed","name":"F","namespace":"b","size":2}}]}');
});

test('parse errors are SchemaParseError (42201) carrying the parser message', () => {
  const cases: [string, RegExp][] = [
    ['{"type":"record","name":"R","fields":[{"name":"f","type":"strin"}]}', /undefined type name: strin/],
    ['{"type":"record","name":"R","fields":[{"name":"f","type":"int","default":"x"}]}', /incompatible field default/],
    ['{"type":"record",', /Invalid JSON/],
    ['', /Empty schema/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseSchema('AVRO', text), (err: unknown) => {
      assert.ok(err instanceof SchemaParseError);
      assert.equal(err.code, 42201);
      assert.match(err.message, message);
      return true;
    });
  }
});

test('deeply nested schemas are rejected at the depth limit', () => {
  let s: unknown = 'int';
  for (let i = 0; i < 100; i++) s = { type: 'array', items: s };
  assert.throws(() => parseSchema('AVRO', JSON.stringify(s)), SchemaParseError);
});

test('named types from references resolve and stay names in the canonical text', () => {
  const address = { name: 'com.acme.Address', schemaType: 'AVRO' as const, schema: '{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"}]}', references: [] };
  const refs = [{ name: 'com.acme.Address', subject: 'address-value', version: 1 }];
  const p = parseSchema('AVRO', '{"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"home","type":"com.acme.Address"}]}', refs, [address]);
  assert.equal(p.canonical, '{"type":"record","name":"Person","namespace":"com.acme","fields":[{"name":"home","type":"Address"}]}');
  assert.deepEqual(p.references, refs);
  const buf = avroType(p).toBuffer({ home: { street: 'Main' } });
  assert.deepEqual(JSON.parse(JSON.stringify(avroType(p).fromBuffer(buf))), { home: { street: 'Main' } });
  assert.throws(() => parseSchema('AVRO', '{"type":"record","name":"P","fields":[{"name":"h","type":"com.acme.Address"}]}'), SchemaParseError);
  // compatibility through references: a field added without default in the referenced record
  const address2 = { ...address, schema: '{"type":"record","name":"Address","namespace":"com.acme","fields":[{"name":"street","type":"string"},{"name":"zip","type":"string"}]}' };
  const p2 = parseSchema('AVRO', p.raw, refs, [address2]);
  assert.equal(checkCompatibility('BACKWARD', p2, [p]).compatible, false);
  assert.equal(checkCompatibility('FORWARD', p2, [p]).compatible, true);
});

test('normalize gives one text for equivalent schemas: full names, sorted aliases and props', () => {
  const a = parseSchema('AVRO', '{"type":"record","name":"R","namespace":"n","aliases":["Z","A"],"fields":[{"name":"f","type":{"type":"int","b":1,"a":2},"aliases":["y","x"]}]}');
  const b = parseSchema('AVRO', '{"type":"record","name":"n.R","aliases":["n.A","n.Z"],"fields":[{"name":"f","type":{"a":2,"type":"int","b":1},"aliases":["x","y"]}]}');
  assert.notEqual(a.canonical, b.canonical);
  const na = normalizeSchema(a);
  assert.equal(na.canonical, normalizeSchema(b).canonical);
  assert.equal(na.canonical, '{"name":"n.R","type":"record","fields":[{"name":"f","type":{"type":"int","a":2,"b":1},"aliases":["x","y"]}],"aliases":["n.A","n.Z"]}');
  assert.equal(na.raw, na.canonical);
  assert.equal(parseSchema('AVRO', na.raw).canonical.length > 0, true);
});

test('avroType with logical types builds a fresh type', () => {
  const p = parseSchema('AVRO', '{"type":"int","logicalType":"date"}');
  assert.equal(avroType(p).typeName, 'int');
  assert.notEqual(avroType(p, { logicalTypes: {} }), avroType(p));
});
