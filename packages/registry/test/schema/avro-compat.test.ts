// Avro compatibility: our verdicts against the fact table in the reference and against Debian's
// python3-avro (avro.compatibility.ReaderWriterCompatibilityChecker) on the same pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { checkCompatibility, parseSchema, type ParsedSchema } from '../../src/schema/index.ts';

type S = unknown;
const rec = (fields: S[], extra: Record<string, S> = {}): S => ({ type: 'record', name: 'myrecord', fields, ...extra });
const f = (name: string, type: S, extra: Record<string, S> = {}): S => ({ name, type, ...extra });
const one = (type: S, extra: Record<string, S> = {}): S => rec([f('f1', type, extra)]);
const en = (symbols: string[], extra: Record<string, S> = {}): S => one({ type: 'enum', name: 'E', symbols, ...extra });

/** [description, old, new, BACKWARD, FORWARD] */
const PAIRS: [string, S, S, boolean, boolean][] = [
  ['add field with default', rec([f('f1', 'string')]), rec([f('f1', 'string'), f('f2', 'string', { default: 'x' })]), true, true],
  ['add field without default', rec([f('f1', 'string')]), rec([f('f1', 'string'), f('f2', 'string')]), false, true],
  ['remove field without default', rec([f('f1', 'string'), f('f2', 'string')]), rec([f('f1', 'string')]), true, false],
  ['remove field with default', rec([f('f1', 'string'), f('f2', 'string', { default: 'x' })]), rec([f('f1', 'string')]), true, true],
  ['rename field with alias', rec([f('f1', 'string')]), rec([f('f2', 'string', { aliases: ['f1'] })]), true, false],
  ['string to nullable union', one('string'), one(['null', 'string']), true, false],
  ['nullable union to string', one(['null', 'string']), one('string'), false, true],
  ['union gains int', one(['null', 'string']), one(['null', 'string', 'int']), true, false],
  ['union loses int', one(['null', 'string', 'int']), one(['null', 'string']), false, true],
  ['int to long', one('int'), one('long'), true, false],
  ['long to int', one('long'), one('int'), false, true],
  ['int to float', one('int'), one('float'), true, false],
  ['int to double', one('int'), one('double'), true, false],
  ['long to float', one('long'), one('float'), true, false],
  ['float to double', one('float'), one('double'), true, false],
  ['double to float', one('double'), one('float'), false, true],
  ['string to bytes', one('string'), one('bytes'), true, true],
  ['string to int', one('string'), one('int'), false, false],
  ['union reorder', one(['null', 'string']), one(['string', 'null']), true, true],
  ['enum add symbol', en(['A', 'B']), en(['A', 'B', 'C']), true, false],
  ['enum remove symbol', en(['A', 'B', 'C']), en(['A', 'B']), false, true],
  ['enum remove symbol with default', en(['A', 'B', 'C'], { default: 'A' }), en(['A', 'B'], { default: 'A' }), true, true],
  ['record renamed', rec([f('f1', 'string')]), { type: 'record', name: 'other', fields: [f('f1', 'string')] }, false, false],
  ['record renamed with alias', rec([f('f1', 'string')]), { type: 'record', name: 'other', aliases: ['myrecord'], fields: [f('f1', 'string')] }, true, false],
  ['namespace only changed', rec([f('f1', 'string')], { namespace: 'a' }), rec([f('f1', 'string')], { namespace: 'b' }), true, true],
  ['fixed size changed', one({ type: 'fixed', name: 'F', size: 16 }), one({ type: 'fixed', name: 'F', size: 32 }), false, false],
  ['array int to long', one({ type: 'array', items: 'int' }), one({ type: 'array', items: 'long' }), true, false],
  ['map int to long', one({ type: 'map', values: 'int' }), one({ type: 'map', values: 'long' }), true, false],
  ['decimal precision changed', one({ type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }), one({ type: 'bytes', logicalType: 'decimal', precision: 12, scale: 4 }), true, true],
  ['date to plain int', one({ type: 'int', logicalType: 'date' }), one('int'), true, true],
  ['top-level int to string', 'int', 'string', false, false],
  ['record to nullable record', rec([f('f1', 'string')]), ['null', rec([f('f1', 'string')])], true, false],
  ['field default changed', rec([f('f1', 'string', { default: 'a' })]), rec([f('f1', 'string', { default: 'b' })]), true, true],
  ['fields reordered', rec([f('f1', 'string'), f('f2', 'int')]), rec([f('f2', 'int'), f('f1', 'string')]), true, true],
  ['string to nullable with default null', one('string'), one(['null', 'string'], { default: null }), true, false],
  ['nested record gains field without default', one(rec([f('a', 'int')], { name: 'inner' })), one(rec([f('a', 'int'), f('b', 'int')], { name: 'inner' })), false, true],
  ['array items record to string', one({ type: 'array', items: 'string' }), one({ type: 'array', items: 'int' }), false, false],
  ['map to array', one({ type: 'map', values: 'int' }), one({ type: 'array', items: 'int' }), false, false],
  ['recursive list adds defaulted field',
    { type: 'record', name: 'node', fields: [f('v', 'int'), f('next', ['null', 'node'], { default: null })] },
    { type: 'record', name: 'node', fields: [f('v', 'int'), f('next', ['null', 'node'], { default: null }), f('w', 'long', { default: 0 })] },
    true, true],
  ['bytes to string', one('bytes'), one('string'), true, true],
  ['float to int', one('float'), one('int'), false, true],
];

const parse = (s: S): ParsedSchema => parseSchema('AVRO', JSON.stringify(s));
const verdict = (level: 'BACKWARD' | 'FORWARD', oldS: S, newS: S): boolean => checkCompatibility(level, parse(newS), [parse(oldS)]).compatible;

test('Avro verdicts match the fact table (BACKWARD, FORWARD, FULL)', () => {
  for (const [name, oldS, newS, b, fw] of PAIRS) {
    assert.equal(verdict('BACKWARD', oldS, newS), b, `${name}: BACKWARD`);
    assert.equal(verdict('FORWARD', oldS, newS), fw, `${name}: FORWARD`);
    assert.equal(checkCompatibility('FULL', parse(newS), [parse(oldS)]).compatible, b && fw, `${name}: FULL`);
  }
});

const PYTHON = '/usr/bin/python3';
const PY_SCRIPT = `
import json, sys
import avro.schema as S
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
out = []
for pair in json.load(sys.stdin):
    r = ReaderWriterCompatibilityChecker().get_compatibility(S.parse(pair[0]), S.parse(pair[1]))
    out.append(r.compatibility is SchemaCompatibilityType.compatible)
print(json.dumps(out))
`;

test('Avro verdicts agree with python3-avro on every pair, both directions', { skip: !existsSync(PYTHON) && 'no /usr/bin/python3' }, () => {
  const jobs: [string, string][] = [];
  for (const [, oldS, newS] of PAIRS) {
    jobs.push([JSON.stringify(newS), JSON.stringify(oldS)]); // BACKWARD: reader = new
    jobs.push([JSON.stringify(oldS), JSON.stringify(newS)]); // FORWARD: reader = old
  }
  const run = spawnSync(PYTHON, ['-c', PY_SCRIPT], { input: JSON.stringify(jobs), encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const python = JSON.parse(run.stdout) as boolean[];
  assert.equal(python.length, PAIRS.length * 2);
  let agreed = 0;
  PAIRS.forEach(([name, oldS, newS], i) => {
    assert.equal(verdict('BACKWARD', oldS, newS), python[2 * i], `${name}: BACKWARD vs python3-avro`);
    assert.equal(verdict('FORWARD', oldS, newS), python[2 * i + 1], `${name}: FORWARD vs python3-avro`);
    agreed++;
  });
  assert.ok(agreed >= 30);
});

const R1 = rec([f('f1', 'string')]);
const R2 = rec([f('f1', 'string'), f('f2', 'string', { default: 'foo' })]);
const R3 = rec([f('f1', 'string'), f('f2', 'string')]);
const R8 = rec([f('f1', 'string'), f('f2', 'string', { default: 'foo' }), f('f3', 'string', { default: 'bar' })]);

test('transitive levels check every earlier version, non-transitive only the latest', () => {
  const table: [S, S[], boolean[]][] = [
    // B, B_T, F, F_T, FULL, FULL_T
    [R3, [R1, R2], [true, false, true, true, true, false]],
    [R1, [R3, R2], [true, true, true, false, true, false]],
    [R8, [R1, R2], [true, true, true, true, true, true]],
    [R1, [R8, R2], [true, true, true, true, true, true]],
  ];
  const levels = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'] as const;
  for (const [candidate, history, expected] of table) {
    levels.forEach((level, i) => {
      const got = checkCompatibility(level, parse(candidate), history.map(parse)).compatible;
      assert.equal(got, expected[i], `${JSON.stringify(candidate)} over ${history.length} versions at ${level}`);
    });
    assert.equal(checkCompatibility('NONE', parse(candidate), history.map(parse)).compatible, true);
  }
});

test('incompatibility messages follow Confluent shapes and swap new/old for FORWARD', () => {
  const back = checkCompatibility('BACKWARD', parse(R3), [parse(R1)]);
  assert.deepEqual(back.messages, [
    "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'f2' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'f2'}",
  ]);
  const fwd = checkCompatibility('FORWARD', parse(R1), [parse(R3)]);
  assert.match(fwd.messages[0]!, /in the old schema has no default value and is missing in the new schema/);
  const mismatch = checkCompatibility('BACKWARD', parse(one('int')), [parse(one('string'))]);
  assert.match(mismatch.messages[0]!, /errorType:'TYPE_MISMATCH'.*path '\/fields\/0\/type'.*reader type: INT not compatible with writer type: STRING/);
  const union = checkCompatibility('BACKWARD', parse(one(['null', 'string'])), [parse(one(['null', 'string', 'int']))]);
  assert.match(union.messages[0]!, /MISSING_UNION_BRANCH.*\/fields\/0\/type\/2/);
  const symbols = checkCompatibility('BACKWARD', parse(en(['A'])), [parse(en(['A', 'B']))]);
  assert.match(symbols.messages[0]!, /MISSING_ENUM_SYMBOLS.*'\[B\]'/);
});

test('a different schema type is incompatible except under NONE', () => {
  const json = parseSchema('JSON', '{"type":"string"}');
  const avro = parse('string');
  assert.deepEqual(checkCompatibility('BACKWARD', avro, [json]), { compatible: false, messages: ['Incompatible because of different schema type'] });
  assert.equal(checkCompatibility('NONE', avro, [json]).compatible, true);
});
