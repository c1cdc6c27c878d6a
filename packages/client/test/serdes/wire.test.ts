import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEADER_BYTES, decodeMessageIndexes, encodeMessageIndexes, readSchemaId, writeHeader } from '../../src/serdes/wire.ts';
import { SerdeError } from '../../src/serdes/errors.ts';
import { subjectName } from '../../src/serdes/subject-name.ts';

test('header: magic byte 0 then the id as a 4-byte big-endian integer', () => {
  const buf = Buffer.alloc(HEADER_BYTES);
  writeHeader(buf, 0x01020304);
  assert.deepEqual([...buf], [0, 1, 2, 3, 4]);
  assert.equal(readSchemaId(buf), 0x01020304);
});

test('readSchemaId rejects a short payload and a non-zero magic byte with UNKNOWN_MAGIC_BYTE', () => {
  const isMagic = (e: unknown): boolean => e instanceof SerdeError && e.code === 'UNKNOWN_MAGIC_BYTE';
  assert.throws(() => readSchemaId(Buffer.from([0, 0, 0])), isMagic);
  assert.throws(() => readSchemaId(Buffer.from([1, 0, 0, 0, 1])), isMagic);
});

test('message indexes: [0] and [] are the single byte 0; others are a zigzag count then zigzag indexes', () => {
  assert.deepEqual([...encodeMessageIndexes([0])], [0]);
  assert.deepEqual([...encodeMessageIndexes([])], [0]);
  assert.deepEqual([...encodeMessageIndexes([1])], [2, 2]);
  assert.deepEqual([...encodeMessageIndexes([1, 0])], [4, 2, 0]);
  assert.deepEqual([...encodeMessageIndexes([70])], [2, 140, 1]);
  for (const path of [[0], [1], [1, 0], [3, 2, 1], [70], [200, 5]]) {
    const bytes = Buffer.concat([Buffer.alloc(HEADER_BYTES), encodeMessageIndexes(path), Buffer.from([9])]);
    const { indexes, offset } = decodeMessageIndexes(bytes, HEADER_BYTES);
    assert.deepEqual(indexes, path);
    assert.equal(bytes[offset], 9);
  }
});

test('message indexes: truncated, negative and oversized lists are INVALID_PAYLOAD', () => {
  const isInvalid = (e: unknown): boolean => e instanceof SerdeError && e.code === 'INVALID_PAYLOAD';
  assert.throws(() => decodeMessageIndexes(Buffer.from([4, 2]), 0), isInvalid);
  assert.throws(() => decodeMessageIndexes(Buffer.from([2, 1]), 0), isInvalid);
  assert.throws(() => decodeMessageIndexes(Buffer.from([0xfe, 0x01]), 0), isInvalid);
  assert.throws(() => decodeMessageIndexes(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0), isInvalid);
});

test('subject name strategies: topic, record, topic-record and a custom function', () => {
  assert.equal(subjectName('topic', { topic: 't', isKey: false, recordName: 'a.B' }), 't-value');
  assert.equal(subjectName('topic', { topic: 't', isKey: true, recordName: undefined }), 't-key');
  assert.equal(subjectName('record', { topic: 't', isKey: false, recordName: 'a.B' }), 'a.B');
  assert.equal(subjectName('topic-record', { topic: 't', isKey: true, recordName: 'a.B' }), 't-a.B');
  assert.equal(subjectName(({ topic }) => `x-${topic}`, { topic: 't', isKey: false, recordName: undefined }), 'x-t');
  assert.throws(() => subjectName('record', { topic: 't', isKey: false, recordName: undefined }), (e: unknown) => e instanceof SerdeError && e.code === 'INVALID_CONFIG');
});
