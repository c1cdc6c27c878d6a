import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crcValid, lastOffsetDelta, recordCount, attributes } from '@tributary/protocol/records/batch-header.ts';
import { CompressionType } from '@tributary/protocol/records/compression.ts';
import { BatchBuilder } from '../../src/producer/batch-builder.ts';
import { decodeFetchedRecords } from '../../src/consumer/record-decoder.ts';
import { decodeRecordBatches } from '@tributary/protocol/records/record-batch.ts';

function build(compression: CompressionType, n: number): Buffer {
  const b = new BatchBuilder(compression, 64);
  for (let i = 0; i < n; i++) {
    b.append(i % 3 === 0 ? null : `key-${i}`, i % 5 === 0 ? null : Buffer.from(`value-${i}`.repeat(i % 7 + 1)),
      i % 2 === 0 ? { h1: `x${i}`, h2: null } : undefined, 1_700_000_000_000 + i * 10);
  }
  return b.finish();
}

for (const [name, codec] of Object.entries(CompressionType)) {
  test(`a built batch has a valid header and CRC and decodes back (${name})`, () => {
    const batch = build(codec, 50);
    assert.equal(crcValid(batch), true);
    assert.equal(recordCount(batch), 50);
    assert.equal(lastOffsetDelta(batch), 49);
    assert.equal(attributes(batch) & 7, codec);
    const { records, nextOffset } = decodeFetchedRecords('t', 0, batch, 0, null);
    assert.equal(nextOffset, 50);
    assert.equal(records.length, 50);
    for (let i = 0; i < 50; i++) {
      const r = records[i]!;
      assert.equal(r.offset, i);
      assert.equal(r.timestamp, 1_700_000_000_000 + i * 10);
      assert.equal(r.key === null ? null : r.key.toString(), i % 3 === 0 ? null : `key-${i}`);
      assert.equal(r.value === null ? null : r.value.toString(), i % 5 === 0 ? null : `value-${i}`.repeat(i % 7 + 1));
      if (i % 2 === 0) assert.deepEqual(r.headers.map((h) => [h.key, h.value?.toString() ?? null]), [['h1', `x${i}`], ['h2', null]]);
      else assert.equal(r.headers.length, 0);
    }
  });
}

test('decoding skips records below the position and ignores a trailing partial batch', () => {
  const a = build(CompressionType.None, 10);
  const b = build(CompressionType.None, 5);
  b.writeInt32BE(0, 0); b.writeInt32BE(10, 4); // base offset 10
  const buf = Buffer.concat([a, b.subarray(0, b.length - 3)]);
  const { records, nextOffset } = decodeFetchedRecords('t', 0, buf, 7, null);
  assert.deepEqual(records.map((r) => r.offset), [7, 8, 9]);
  assert.equal(nextOffset, 10);
  const whole = decodeFetchedRecords('t', 0, Buffer.concat([a, b]), 7, null);
  assert.deepEqual(whole.records.map((r) => r.offset), [7, 8, 9, 10, 11, 12, 13, 14]);
  assert.equal(whole.nextOffset, 15);
});

test('header given as an array keeps duplicates and order', () => {
  const bb = new BatchBuilder(CompressionType.None);
  bb.append('k', 'v', [{ key: 'a', value: '1' }, { key: 'a', value: '2' }], 5);
  const { records } = decodeFetchedRecords('t', 0, bb.finish(), 0, null);
  assert.deepEqual(records[0]!.headers.map((h) => `${h.key}=${h.value}`), ['a=1', 'a=2']);
});

test('the builder and the consumer decoder agree with the protocol codec record for record', () => {
  for (const codec of Object.values(CompressionType)) {
    const batch = build(codec, 50);
    const [decoded] = decodeRecordBatches(batch);
    const { records } = decodeFetchedRecords('t', 0, batch, 0, null);
    assert.equal(decoded!.records.length, records.length);
    for (let i = 0; i < records.length; i++) {
      const p = decoded!.records[i]!;
      const r = records[i]!;
      assert.deepEqual({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }, p);
    }
  }
});
