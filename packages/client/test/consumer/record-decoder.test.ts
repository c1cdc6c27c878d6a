import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRecordBatch } from '@tributary/protocol/records/record-batch.ts';
import { decodeFetchedRecords } from '../../src/consumer/record-decoder.ts';
import { ClientError } from '../../src/errors.ts';

const TS = 1_700_000_000_000;

function data(baseOffset: number, n: number, extra: { producerId?: number; transactional?: boolean; timestampType?: 'LogAppendTime'; now?: number } = {}): Buffer {
  return encodeRecordBatch({
    baseOffset, ...extra,
    records: Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${baseOffset + i}`), value: Buffer.from(`v${baseOffset + i}`), timestamp: TS + i })),
  });
}

/** A control batch with one marker: key = int16 version 0, int16 type (0 ABORT, 1 COMMIT). */
function marker(baseOffset: number, producerId: number, type: 0 | 1): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type, 2);
  return encodeRecordBatch({ baseOffset, producerId, transactional: true, control: true, records: [{ key, value: Buffer.alloc(6), timestamp: TS }] });
}

const offsets = (buf: Buffer, position: number, aborted: Array<{ producerId: number; firstOffset: number }> | null = null): number[] =>
  decodeFetchedRecords('t', 0, buf, position, aborted).records.map((r) => r.offset);

test('records below the position are skipped, also inside a batch', () => {
  const buf = Buffer.concat([data(0, 5), data(5, 5)]);
  assert.deepEqual(offsets(buf, 3), [3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(offsets(buf, 6), [6, 7, 8, 9]);
  const r = decodeFetchedRecords('t', 2, buf, 6, null);
  assert.equal(r.nextOffset, 10);
  assert.deepEqual({ topic: r.records[0]!.topic, partition: r.records[0]!.partition, key: r.records[0]!.key?.toString(), ts: r.records[0]!.timestamp }, { topic: 't', partition: 2, key: 'k6', ts: TS + 1 });
});

test('a trailing partial batch is ignored and nextOffset stops before it', () => {
  const whole = Buffer.concat([data(0, 3), data(3, 3)]);
  const cut = whole.subarray(0, whole.length - 5);
  const r = decodeFetchedRecords('t', 0, cut, 0, null);
  assert.deepEqual(r.records.map((x) => x.offset), [0, 1, 2]);
  assert.equal(r.nextOffset, 3);
  assert.equal(decodeFetchedRecords('t', 0, cut.subarray(0, 20), 0, null).nextOffset, -1);
});

test('control batches are never returned but advance nextOffset', () => {
  const buf = Buffer.concat([data(0, 2, { producerId: 7, transactional: true }), marker(2, 7, 1)]);
  const r = decodeFetchedRecords('t', 0, buf, 0, null);
  assert.deepEqual(r.records.map((x) => x.offset), [0, 1]);
  assert.equal(r.nextOffset, 3);
});

test('read_committed drops aborted transactional batches up to their ABORT marker only', () => {
  const buf = Buffer.concat([
    data(0, 2, { producerId: 7, transactional: true }), // aborted
    data(2, 2, { producerId: 8, transactional: true }), // other producer, committed
    marker(4, 7, 0),
    data(5, 2, { producerId: 7, transactional: true }), // after the abort marker: a new transaction
    marker(7, 8, 1),
  ]);
  assert.deepEqual(offsets(buf, 0, [{ producerId: 7, firstOffset: 0 }]), [2, 3, 5, 6]);
  assert.deepEqual(offsets(buf, 0, null), [0, 1, 2, 3, 5, 6]);
});

test('LogAppendTime batches report the batch MaxTimestamp for every record', () => {
  const r = decodeFetchedRecords('t', 0, data(0, 3, { timestampType: 'LogAppendTime', now: TS + 999 }), 0, null);
  assert.deepEqual(r.records.map((x) => x.timestamp), [TS + 999, TS + 999, TS + 999]);
});

test('a batch with another magic is a PROTOCOL_VIOLATION', () => {
  const buf = Buffer.from(data(0, 1));
  buf.writeInt8(1, 16);
  assert.throws(() => decodeFetchedRecords('t', 0, buf, 0, null), (e: unknown) => e instanceof ClientError && e.code === 'PROTOCOL_VIOLATION');
});
