// Protobuf: parsing, re-printed canonical text, references by import name, message indexes, and
// Confluent's diff rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkCompatibility,
  normalizeSchema,
  parseSchema,
  protobufMessageByIndexes,
  protobufMessageIndexes,
  protobufRoot,
  SchemaParseError,
  type CompatibilityLevel,
} from '../../src/schema/index.ts';

const p = (body: string, header = 'syntax = "proto3";\npackage acme;\n') => parseSchema('PROTOBUF', header + body);
const ok = (level: CompatibilityLevel, oldBody: string, newBody: string): boolean => checkCompatibility(level, p(newBody), [p(oldBody)]).compatible;

test('canonical text is the same for formatting and comment variants', () => {
  const a = p('message M { string a = 1; int32 b = 2; }');
  const b = parseSchema('PROTOBUF', '// a comment\nsyntax="proto3";   package acme;\n\n\nmessage M {\n    string a = 1;  // x\n    int32 b = 2;\n}\n');
  assert.equal(a.canonical, b.canonical);
  assert.equal(a.canonical, 'syntax = "proto3";\npackage acme;\n\nmessage M {\n  string a = 1;\n  int32 b = 2;\n}\n');
});

test('canonical text keeps imports, options, oneofs, maps, enums and services', () => {
  const s = p(`import "google/protobuf/timestamp.proto";
option java_package = "com.acme";
message M {
  map<string, int64> counts = 1;
  oneof choice { string s = 2; int32 i = 3; }
  optional google.protobuf.Timestamp at = 4;
  repeated E es = 5 [packed = true];
  enum E { A = 0; B = 1; }
}
service S { rpc Get (M) returns (stream M); }`);
  assert.equal(s.canonical, `syntax = "proto3";
package acme;

import "google/protobuf/timestamp.proto";

option java_package = "com.acme";

message M {
  map<string, int64> counts = 1;
  optional google.protobuf.Timestamp at = 4;
  repeated E es = 5 [packed = true];
  oneof choice {
    string s = 2;
    int32 i = 3;
  }

  enum E {
    A = 0;
    B = 1;
  }
}

service S {
  rpc Get (M) returns (stream M);
}
`);
  assert.equal(parseSchema('PROTOBUF', s.canonical).canonical, s.canonical);
  assert.match(normalizeSchema(s).canonical, /optional \.google\.protobuf\.Timestamp at = 4;/);
});

test('parse errors are SchemaParseError with the parser message', () => {
  assert.throws(() => p('message M { strin a = 1; }'), (e: unknown) => e instanceof SchemaParseError && e.code === 42201 && /illegal token|no such Type/.test(e.message));
  assert.throws(() => p('message M { string a = 1; '), (e: unknown) => e instanceof SchemaParseError && /illegal|EOF/.test(e.message));
  assert.throws(() => p('import "other.proto";\nmessage M { other.X x = 1; }'), (e: unknown) => e instanceof SchemaParseError && /other\.proto/.test(e.message));
});

test('references are imported by reference name', () => {
  const other = { name: 'other.proto', schemaType: 'PROTOBUF' as const, schema: 'syntax = "proto3";\npackage other;\nmessage X { string s = 1; }\n', references: [] };
  const refs = [{ name: 'other.proto', subject: 'other-value', version: 1 }];
  const s = parseSchema('PROTOBUF', 'syntax = "proto3";\npackage acme;\nimport "other.proto";\nmessage M { other.X x = 1; }\n', refs, [other]);
  assert.equal(protobufRoot(s).lookupType('other.X').fields['s']!.type, 'string');
  assert.deepEqual(s.references, refs);
  const t = protobufMessageByIndexes(s, [0]);
  const bytes = t.encode(t.fromObject({ x: { s: 'hi' } })).finish();
  assert.deepEqual(t.toObject(t.decode(bytes)), { x: { s: 'hi' } });
});

test('message indexes follow declaration order of messages, nested included', () => {
  const s = p('message A { message B {} enum E { Z = 0; } message C {} }\nenum Top { T = 0; }\nmessage D {}');
  assert.equal(protobufMessageByIndexes(s, []).fullName, '.acme.A');
  assert.equal(protobufMessageByIndexes(s, [0]).fullName, '.acme.A');
  assert.equal(protobufMessageByIndexes(s, [0, 1]).fullName, '.acme.A.C');
  assert.equal(protobufMessageByIndexes(s, [1]).fullName, '.acme.D');
  assert.deepEqual(protobufMessageIndexes(s, 'acme.A.C'), [0, 1]);
  assert.deepEqual(protobufMessageIndexes(s, '.acme.D'), [1]);
  assert.throws(() => protobufMessageByIndexes(s, [2]), RangeError);
});

/** [description, old, new, BACKWARD expected] */
const CASES: [string, string, string, boolean][] = [
  ['field added', 'message M { string a = 1; }', 'message M { string a = 1; int32 b = 2; }', true],
  ['field removed', 'message M { string a = 1; int32 b = 2; }', 'message M { string a = 1; }', true],
  ['field renamed', 'message M { string a = 1; }', 'message M { string z = 1; }', true],
  ['message added', 'message M { string a = 1; }', 'message M { string a = 1; }\nmessage N { int32 x = 1; }', true],
  ['message removed', 'message M { string a = 1; }\nmessage N { int32 x = 1; }', 'message M { string a = 1; }', false],
  ['message moved (index changed)', 'message M { string a = 1; }\nmessage N { int32 x = 1; }', 'message N { int32 x = 1; }\nmessage M { string a = 1; }', true],
  ['int32 to int64 (same group)', 'message M { int32 a = 1; }', 'message M { int64 a = 1; }', true],
  ['int32 to bool (same group)', 'message M { int32 a = 1; }', 'message M { bool a = 1; }', true],
  ['string to bytes', 'message M { string a = 1; }', 'message M { bytes a = 1; }', true],
  ['sint32 to sint64', 'message M { sint32 a = 1; }', 'message M { sint64 a = 1; }', true],
  ['int32 to sint32 (across groups)', 'message M { int32 a = 1; }', 'message M { sint32 a = 1; }', false],
  ['fixed32 to fixed64', 'message M { fixed32 a = 1; }', 'message M { fixed64 a = 1; }', false],
  ['float to double', 'message M { float a = 1; }', 'message M { double a = 1; }', false],
  ['enum to int32', 'message M { E a = 1; }\nenum E { X = 0; }', 'message M { int32 a = 1; }\nenum E { X = 0; }', true],
  ['scalar to message', 'message M { string a = 1; }\nmessage N {}', 'message M { N a = 1; }\nmessage N {}', false],
  ['scalar to map', 'message M { string a = 1; }', 'message M { map<string, string> a = 1; }', false],
  ['message type changed', 'message M { N a = 1; }\nmessage N {}\nmessage O {}', 'message M { O a = 1; }\nmessage N {}\nmessage O {}', false],
  ['string made repeated', 'message M { string a = 1; }', 'message M { repeated string a = 1; }', true],
  ['int32 made repeated', 'message M { int32 a = 1; }', 'message M { repeated int32 a = 1; }', false],
  ['enum constant added', 'enum E { A = 0; }\nmessage M { E e = 1; }', 'enum E { A = 0; B = 1; }\nmessage M { E e = 1; }', true],
  ['enum constant removed', 'enum E { A = 0; B = 1; }\nmessage M { E e = 1; }', 'enum E { A = 0; }\nmessage M { E e = 1; }', true],
  ['enum removed', 'enum E { A = 0; }\nmessage M { string a = 1; }', 'message M { string a = 1; }', true],
  ['oneof added', 'message M { string a = 1; }', 'message M { string a = 1; oneof o { int32 b = 2; string c = 3; } }', true],
  ['oneof field added', 'message M { oneof o { int32 b = 2; } }', 'message M { oneof o { int32 b = 2; string c = 3; } }', true],
  ['oneof field removed', 'message M { oneof o { int32 b = 2; string c = 3; } }', 'message M { oneof o { int32 b = 2; } }', false],
  ['oneof field moved to top level', 'message M { oneof o { int32 b = 2; string c = 3; } }', 'message M { int32 b = 2; string c = 3; }', true],
  ['one field moved into a new oneof', 'message M { int32 b = 2; }', 'message M { oneof o { int32 b = 2; } }', true],
  ['multiple fields moved into a oneof', 'message M { int32 b = 2; string c = 3; }', 'message M { oneof o { int32 b = 2; string c = 3; } }', false],
  ['field moved to existing oneof', 'message M { int32 b = 2; oneof o { string c = 3; } }', 'message M { oneof o { int32 b = 2; string c = 3; } }', false],
  ['nested message field changed', 'message M { message N { int32 x = 1; } N n = 1; }', 'message M { message N { string x = 1; } N n = 1; }', false],
];

test('Protobuf diff rules: BACKWARD verdicts per change', () => {
  for (const [name, oldS, newS, backward] of CASES) assert.equal(ok('BACKWARD', oldS, newS), backward, name);
});

test('package change and proto2 required fields are incompatible; syntax change alone is not', () => {
  assert.equal(checkCompatibility('BACKWARD', parseSchema('PROTOBUF', 'syntax = "proto3"; package b; message M {}'), [parseSchema('PROTOBUF', 'syntax = "proto3"; package a; message M {}')]).compatible, false);
  const v2 = (body: string) => parseSchema('PROTOBUF', `syntax = "proto2"; package acme; ${body}`);
  assert.equal(checkCompatibility('BACKWARD', v2('message M { optional string a = 1; required int32 b = 2; }'), [v2('message M { optional string a = 1; }')]).compatible, false);
  assert.equal(checkCompatibility('BACKWARD', v2('message M { optional string a = 1; }'), [v2('message M { optional string a = 1; required int32 b = 2; }')]).compatible, false);
  assert.equal(checkCompatibility('FULL', p('message M { string a = 1; }'), [v2('message M { optional string a = 1; }')]).compatible, true);
});

test('FORWARD swaps the diff, FULL needs both; messages are Confluent-shaped', () => {
  assert.equal(ok('FORWARD', 'message M { string a = 1; }', 'message M { string a = 1; }\nmessage N {}'), false); // N "removed" in reverse
  assert.equal(ok('FORWARD', 'message M { string a = 1; }\nmessage N {}', 'message M { string a = 1; }'), true);
  assert.equal(ok('FULL', 'message M { string a = 1; }', 'message M { string a = 1; int32 b = 2; }'), true);
  assert.equal(ok('FULL', 'message M { string a = 1; }', 'message M { string a = 1; }\nmessage N {}'), false);
  const r = checkCompatibility('BACKWARD', p('message M { bytes a = 1; double b = 2; }'), [p('message M { bytes a = 1; float b = 2; }')]);
  assert.deepEqual(r.messages, ["Found incompatible change: Difference{fullPath='#/M/2', type=FIELD_SCALAR_KIND_CHANGED}"]);
});

test('transitive: passes against the latest, fails against an older version', () => {
  const v1 = p('message M { string a = 1; }\nmessage N {}');
  const v2 = p('message M { string a = 1; }'); // N removed, accepted under NONE at the time
  const v3 = p('message M { string a = 1; int32 b = 2; }');
  assert.equal(checkCompatibility('BACKWARD', v3, [v1, v2]).compatible, true);
  assert.equal(checkCompatibility('BACKWARD_TRANSITIVE', v3, [v1, v2]).compatible, false);
  assert.equal(checkCompatibility('FULL', v3, [v1, v2]).compatible, true);
  assert.equal(checkCompatibility('FULL_TRANSITIVE', v3, [v1, v2]).compatible, false);
});
