// JSON Schema: parsing with ajv per draft, canonical/normalized text, and Confluent's diff rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCompatibility, jsonValidator, normalizeSchema, parseSchema, SchemaParseError, type CompatibilityLevel } from '../../src/schema/index.ts';

const p = (s: unknown) => parseSchema('JSON', typeof s === 'string' ? s : JSON.stringify(s));
const ok = (level: CompatibilityLevel, oldS: unknown, newS: unknown): boolean => checkCompatibility(level, p(newS), [p(oldS)]).compatible;
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties, ...extra });
const str = { type: 'string' };

test('canonical text is compact JSON with key order kept; normalized text sorts keys', () => {
  const a = p('{ "type": "object",\n "properties": { "a": {"type": "string"} } }');
  const b = p('{"properties":{"a":{"type":"string"}},"type":"object"}');
  assert.equal(a.canonical, '{"type":"object","properties":{"a":{"type":"string"}}}');
  assert.notEqual(a.canonical, b.canonical);
  assert.equal(normalizeSchema(a).canonical, normalizeSchema(b).canonical);
  assert.equal(normalizeSchema(a).canonical, '{"properties":{"a":{"type":"string"}},"type":"object"}');
});

test('invalid schemas give SchemaParseError with ajv message', () => {
  assert.throws(() => p('{"type":"strin"}'), (e: unknown) => e instanceof SchemaParseError && e.code === 42201 && /schema is invalid/.test(e.message));
  assert.throws(() => p('{"type":'), SchemaParseError);
  assert.throws(() => p('"just a string"'), SchemaParseError);
  assert.throws(() => p('{"$ref":"missing.json"}'), (e: unknown) => e instanceof SchemaParseError && /missing\.json/.test(e.message));
});

test('drafts are chosen from $schema and the validator works', () => {
  for (const dialect of ['http://json-schema.org/draft-07/schema#', 'https://json-schema.org/draft/2020-12/schema', 'https://json-schema.org/draft/2019-09/schema', 'http://json-schema.org/draft-04/schema#', 'http://json-schema.org/draft-06/schema#']) {
    const v = jsonValidator(p({ $schema: dialect, type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] }));
    assert.equal(v({ n: 1 }), true, dialect);
    assert.equal(v({ n: 'x' }), false, dialect);
  }
});

test('references: $ref to a referenced schema name resolves, and compatibility looks through it', () => {
  const addr = { name: 'address.json', schemaType: 'JSON' as const, schema: JSON.stringify(obj({ street: str })), references: [] };
  const refs = [{ name: 'address.json', subject: 'address', version: 1 }];
  const person = parseSchema('JSON', JSON.stringify(obj({ home: { $ref: 'address.json' } })), refs, [addr]);
  assert.equal(jsonValidator(person)({ home: { street: 'x' } }), true);
  assert.equal(jsonValidator(person)({ home: { street: 1 } }), false);
  const addr2 = { ...addr, schema: JSON.stringify(obj({ street: { type: 'integer' } })) };
  const person2 = parseSchema('JSON', person.raw, refs, [addr2]);
  assert.equal(checkCompatibility('BACKWARD', person2, [person]).compatible, false);
  // a local $ref with the same content as an inline schema is no change
  const local = p({ definitions: { s: str }, ...obj({ a: { $ref: '#/definitions/s' } }) });
  assert.equal(checkCompatibility('FULL', local, [p(obj({ a: str }))]).compatible, true);
});

/** [description, old, new, BACKWARD expected] — FORWARD is the swapped pair. */
const CASES: [string, unknown, unknown, boolean][] = [
  ['description and title changed', { ...obj({ a: str }), title: 'x' }, { ...obj({ a: str }), title: 'y', description: 'd' }, true],
  ['anything to empty schema', str, {}, true],
  ['empty schema to string', {}, str, false],
  ['property added to closed model', obj({ a: str }, { additionalProperties: false }), obj({ a: str, b: str }, { additionalProperties: false }), true],
  ['property added to open model', obj({ a: str }), obj({ a: str, b: str }), false],
  ['property with empty schema added to open model', obj({ a: str }), obj({ a: str, b: {} }), true],
  ['property added, covered by partially open model', obj({ a: str }, { additionalProperties: str }), obj({ a: str, b: str }, { additionalProperties: str }), true],
  ['property added, not covered by partially open model', obj({ a: str }, { additionalProperties: str }), obj({ a: str, b: { type: 'integer' } }, { additionalProperties: str }), false],
  ['property removed from open model', obj({ a: str, b: str }), obj({ a: str }), true],
  ['property removed from closed model', obj({ a: str, b: str }, { additionalProperties: false }), obj({ a: str }, { additionalProperties: false }), false],
  ['false property removed from closed model', obj({ a: str, b: false }, { additionalProperties: false }), obj({ a: str }, { additionalProperties: false }), true],
  ['required added', obj({ a: str }), obj({ a: str }, { required: ['a'] }), false],
  ['required added with default', obj({ a: str }), obj({ a: { ...str, default: 'x' } }, { required: ['a'] }), true],
  ['required removed', obj({ a: str }, { required: ['a'] }), obj({ a: str }), true],
  ['additionalProperties false to true', obj({ a: str }, { additionalProperties: false }), obj({ a: str }, { additionalProperties: true }), true],
  ['additionalProperties true to false', obj({ a: str }), obj({ a: str }, { additionalProperties: false }), false],
  ['additionalProperties narrowed to a schema', obj({ a: str }), obj({ a: str }, { additionalProperties: str }), false],
  ['integer widened to number', { type: 'integer' }, { type: 'number' }, true],
  ['number narrowed to integer', { type: 'number' }, { type: 'integer' }, false],
  ['type array extended', { type: 'string' }, { type: ['string', 'null'] }, true],
  ['type changed', { type: 'string' }, { type: 'boolean' }, false],
  ['maxLength increased', { type: 'string', maxLength: 5 }, { type: 'string', maxLength: 10 }, true],
  ['maxLength decreased', { type: 'string', maxLength: 10 }, { type: 'string', maxLength: 5 }, false],
  ['minLength added', str, { type: 'string', minLength: 1 }, false],
  ['pattern removed', { type: 'string', pattern: '^a' }, str, true],
  ['pattern changed', { type: 'string', pattern: '^a' }, { type: 'string', pattern: '^b' }, false],
  ['maximum removed', { type: 'number', maximum: 5 }, { type: 'number' }, true],
  ['minimum increased', { type: 'number', minimum: 1 }, { type: 'number', minimum: 2 }, false],
  ['multipleOf reduced', { type: 'number', multipleOf: 4 }, { type: 'number', multipleOf: 2 }, true],
  ['multipleOf changed', { type: 'number', multipleOf: 4 }, { type: 'number', multipleOf: 3 }, false],
  ['maxItems increased', { type: 'array', maxItems: 2 }, { type: 'array', maxItems: 3 }, true],
  ['uniqueItems added', { type: 'array' }, { type: 'array', uniqueItems: true }, false],
  ['array items type widened', { type: 'array', items: { type: 'integer' } }, { type: 'array', items: { type: 'number' } }, true],
  ['enum extended', { enum: ['a', 'b'] }, { enum: ['a', 'b', 'c'] }, true],
  ['enum narrowed', { enum: ['a', 'b'] }, { enum: ['a'] }, false],
  ['const changed', { const: 'a' }, { const: 'b' }, false],
  ['oneOf subschema added', { oneOf: [str, { type: 'integer' }] }, { oneOf: [str, { type: 'integer' }, { type: 'boolean' }] }, true],
  ['oneOf subschema removed', { oneOf: [str, { type: 'integer' }] }, { oneOf: [str] }, false],
  ['allOf subschema removed', { allOf: [str, { maxLength: 3 }] }, { allOf: [str] }, true],
  ['allOf subschema added', { allOf: [str] }, { allOf: [str, { maxLength: 3 }] }, false],
  ['single type to oneOf containing it', str, { oneOf: [str, { type: 'integer' }] }, true],
  ['not narrowed', { not: { type: ['string', 'integer'] } }, { not: { type: 'string' } }, true],
  ['not extended', { not: { type: 'string' } }, { not: { type: ['string', 'integer'] } }, false],
  ['nested property type narrowed', obj({ o: obj({ n: { type: 'number' } }) }), obj({ o: obj({ n: { type: 'integer' } }) }), false],
  ['dependencies added', obj({ a: str, b: str }), obj({ a: str, b: str }, { dependencies: { a: ['b'] } }), false],
  ['dependencies removed', obj({ a: str, b: str }, { dependencies: { a: ['b'] } }), obj({ a: str, b: str }), true],
];

test('JSON Schema diff rules: BACKWARD verdicts per change', () => {
  for (const [name, oldS, newS, backward] of CASES) assert.equal(ok('BACKWARD', oldS, newS), backward, name);
});

test('FORWARD checks the reverse diff, FULL needs both', () => {
  assert.equal(ok('FORWARD', obj({ a: str }), obj({ a: str, b: str })), true); // removal from open model in reverse
  assert.equal(ok('FORWARD', obj({ a: str, b: str }), obj({ a: str })), false); // adding to open model in reverse
  assert.equal(ok('FORWARD', { type: 'integer' }, { type: 'number' }), false);
  assert.equal(ok('FULL', { type: 'integer' }, { type: 'number' }), false);
  assert.equal(ok('FULL', obj({ a: str }), { ...obj({ a: str }), description: 'x' }), true);
  assert.equal(ok('FULL', obj({ a: str }, { additionalProperties: false }), obj({ a: str, b: str }, { additionalProperties: false })), false);
});

test('messages name the path and the difference type', () => {
  const r = checkCompatibility('BACKWARD', p(obj({ a: str, b: str })), [p(obj({ a: str }))]);
  assert.deepEqual(r.messages, ["Found incompatible change: Difference{jsonPath='#/properties/b', type=PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL}"]);
});

test('transitive: a change compatible with the latest can fail against an older version', () => {
  const v1 = p({ type: 'string', maxLength: 5 });
  const v2 = p({ type: 'string', maxLength: 10 });
  const v3 = p({ type: 'string', maxLength: 7 }); // narrower than v2, wider than v1
  assert.equal(checkCompatibility('FORWARD', v3, [v1, v2]).compatible, true);
  assert.equal(checkCompatibility('FORWARD_TRANSITIVE', v3, [v1, v2]).compatible, false); // v1 cannot read 7 chars
  assert.equal(checkCompatibility('BACKWARD', v3, [v1, v2]).compatible, false);
  const w1 = p({ type: 'string', maxLength: 10 });
  const w2 = p({ type: 'string', maxLength: 3 }); // history as imported under NONE
  const w3 = p({ type: 'string', maxLength: 5 });
  assert.equal(checkCompatibility('BACKWARD', w3, [w1, w2]).compatible, true);
  assert.equal(checkCompatibility('BACKWARD_TRANSITIVE', w3, [w1, w2]).compatible, false);
  assert.equal(checkCompatibility('FULL_TRANSITIVE', w3, [w1, w2]).compatible, false);
});

test('recursive schemas terminate', () => {
  const tree = { definitions: { node: obj({ kids: { type: 'array', items: { $ref: '#/definitions/node' } } }) }, $ref: '#/definitions/node' };
  const tree2 = { definitions: { node: obj({ kids: { type: 'array', items: { $ref: '#/definitions/node' } }, v: {} }) }, $ref: '#/definitions/node' };
  assert.equal(ok('FULL', tree, tree2), true);
});
