import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryState } from '../../src/store/state.ts';
import type { SchemaValue } from '../../src/store/records.ts';

const v = (subject: string, version: number, id: number, schema = `"s${id}"`): SchemaValue =>
  ({ subject, version, id, schemaType: 'AVRO', references: [], schema, deleted: false });

test('replay: versions, ids by content, DELETE_SUBJECT marks deleted, tombstones remove', () => {
  const s = new RegistryState();
  s.apply({ keytype: 'SCHEMA', subject: 'a', version: 1, value: v('a', 1, 1) });
  s.apply({ keytype: 'SCHEMA', subject: 'a', version: 2, value: v('a', 2, 2) });
  s.apply({ keytype: 'SCHEMA', subject: 'b', version: 1, value: v('b', 1, 1) });
  assert.equal(s.idForContent('AVRO', '"s1"', []), 1);
  assert.deepEqual(s.subjectNames(false), ['a', 'b']);
  s.apply({ keytype: 'DELETE_SUBJECT', subject: 'a', value: { subject: 'a', version: 2 } });
  assert.deepEqual(s.subjectNames(false), ['b']);
  assert.deepEqual(s.versionsOf('a', true).map((x) => x.deleted), [true, true]);
  s.apply({ keytype: 'SCHEMA', subject: 'a', version: 2, value: null });
  assert.equal(s.schemaById(2), undefined, 'an id with no versions left is gone');
  assert.equal(s.maxId, 2, 'but never reused');
  assert.equal(s.maxVersion('a'), 1);
});

test('a SCHEMA record reusing an id for different content is skipped', () => {
  const s = new RegistryState();
  s.apply({ keytype: 'SCHEMA', subject: 'a', version: 1, value: v('a', 1, 1, '"int"') });
  s.apply({ keytype: 'SCHEMA', subject: 'b', version: 1, value: v('b', 1, 1, '"long"') });
  assert.equal(s.skipped, 1);
  assert.deepEqual(s.subjectNames(true), ['a']);
});

test('CLEAR_SUBJECT drops soft-deleted versions; CONFIG and MODE tombstones clear', () => {
  const s = new RegistryState();
  s.apply({ keytype: 'SCHEMA', subject: 'a', version: 1, value: { ...v('a', 1, 1), deleted: true } });
  s.apply({ keytype: 'CLEAR_SUBJECT', subject: 'a', value: { subject: 'a' } });
  assert.deepEqual(s.subjectNames(true), []);
  s.apply({ keytype: 'CONFIG', subject: null, value: { compatibilityLevel: 'NONE' } });
  s.apply({ keytype: 'MODE', subject: 'a', value: { mode: 'READONLY' } });
  assert.equal(s.config(null)?.compatibilityLevel, 'NONE');
  s.apply({ keytype: 'CONFIG', subject: null, value: null });
  s.apply({ keytype: 'MODE', subject: 'a', value: null });
  assert.equal(s.config(null), undefined);
  assert.equal(s.mode('a'), undefined);
});
