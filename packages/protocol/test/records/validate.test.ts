import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as hdr from '../../src/records/batch-header.ts';
import { BATCH } from '../../src/records/batch-header.ts';
import { CompressionType } from '../../src/records/compression.ts';
import { encodeControlBatch } from '../../src/records/control.ts';
import { encodeRecordBatch } from '../../src/records/record-batch.ts';
import type { RecordBatchInput } from '../../src/records/record-batch.ts';
import { ValidationErrorCode, validateProduceRecords } from '../../src/records/validate.ts';
import type { ValidateOptions } from '../../src/records/validate.ts';

const NOW = 1_700_000_000_000;
const OPTS: ValidateOptions = { maxMessageBytes: 1024 * 1024, produceVersion: 9 };

function batch(over: Partial<RecordBatchInput> = {}): Buffer {
  return encodeRecordBatch({
    records: [{ key: Buffer.from('a'), value: Buffer.from('1') }, { key: Buffer.from('b'), value: Buffer.from('2'), timestamp: NOW + 9 }],
    now: NOW,
    ...over,
  });
}

function errorCode(records: Buffer | null, opts: Partial<ValidateOptions> = {}): number {
  const res = validateProduceRecords(records, { ...OPTS, ...opts });
  assert.equal(res.ok, false, 'expected a validation failure');
  return res.ok ? 0 : res.errorCode;
}

/** Patches a header field and rewrites the CRC, so only the patched rule can fail. */
function patched(buf: Buffer, patch: (b: Buffer) => void): Buffer {
  const b = Buffer.from(buf);
  patch(b);
  hdr.writeCrc(b);
  return b;
}

describe('validateProduceRecords', () => {
  it('accepts one well-formed batch and summarises it', () => {
    const res = validateProduceRecords(batch({ producerId: 7, producerEpoch: 1, baseSequence: 0 }), OPTS);
    assert.ok(res.ok);
    assert.equal(res.batchCount, 1);
    assert.equal(res.recordCount, 2);
    assert.equal(res.offsetCount, 2);
    assert.equal(res.maxTimestamp, NOW + 9);
    assert.equal(res.producerId, 7);
    assert.equal(res.baseSequence, 0);
  });

  it('Produce v3+: two batches are INVALID_RECORD', () => {
    assert.equal(errorCode(Buffer.concat([batch(), batch()])), ValidationErrorCode.INVALID_RECORD);
  });

  it('Produce v3+: no batch (empty or null records) is INVALID_RECORD', () => {
    assert.equal(errorCode(Buffer.alloc(0)), ValidationErrorCode.INVALID_RECORD);
    assert.equal(errorCode(null), ValidationErrorCode.INVALID_RECORD);
  });

  it('magic 0/1: INVALID_RECORD for v3+, UNSUPPORTED_FOR_MESSAGE_FORMAT below', () => {
    const legacy = Buffer.from(batch());
    legacy[BATCH.MAGIC] = 1;
    assert.equal(errorCode(legacy), ValidationErrorCode.INVALID_RECORD);
    assert.equal(errorCode(legacy, { produceVersion: 2 }), ValidationErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  });

  it('a truncated batch is CORRUPT_MESSAGE', () => {
    const b = batch();
    assert.equal(errorCode(b.subarray(0, b.length - 1)), ValidationErrorCode.CORRUPT_MESSAGE);
    assert.equal(errorCode(b.subarray(0, 30)), ValidationErrorCode.CORRUPT_MESSAGE);
  });

  it('a BatchLength below the header size is CORRUPT_MESSAGE', () => {
    assert.equal(errorCode(patched(batch(), (b) => b.writeInt32BE(10, BATCH.BATCH_LENGTH))), ValidationErrorCode.CORRUPT_MESSAGE);
  });

  it('a bad CRC is CORRUPT_MESSAGE', () => {
    const b = Buffer.from(batch());
    b[b.length - 1] ^= 1;
    assert.equal(errorCode(b), ValidationErrorCode.CORRUPT_MESSAGE);
  });

  it('a batch larger than max.message.bytes is MESSAGE_TOO_LARGE', () => {
    const b = batch();
    assert.equal(errorCode(b, { maxMessageBytes: b.length - 1 }), ValidationErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(validateProduceRecords(b, { ...OPTS, maxMessageBytes: b.length }).ok, true);
  });

  it('RecordCount != LastOffsetDelta + 1 is INVALID_RECORD', () => {
    assert.equal(errorCode(patched(batch(), (b) => b.writeInt32BE(3, BATCH.RECORD_COUNT))), ValidationErrorCode.INVALID_RECORD);
  });

  it('an empty batch (count 0) is INVALID_RECORD', () => {
    assert.equal(errorCode(encodeRecordBatch({ records: [], now: NOW })), ValidationErrorCode.INVALID_RECORD);
  });

  it('a control batch from a client is INVALID_RECORD', () => {
    const marker = encodeControlBatch({ producerId: 1, producerEpoch: 0, type: 'COMMIT', coordinatorEpoch: 0, timestamp: NOW });
    assert.equal(errorCode(marker), ValidationErrorCode.INVALID_RECORD);
  });

  it('compression codecs 5-7 are CORRUPT_MESSAGE', () => {
    for (const codec of [5, 6, 7]) {
      assert.equal(errorCode(patched(batch(), (b) => b.writeInt16BE(codec, BATCH.ATTRIBUTES))), ValidationErrorCode.CORRUPT_MESSAGE);
    }
  });

  it('zstd before Produce v7 is UNSUPPORTED_COMPRESSION_TYPE', () => {
    const z = batch({ compression: CompressionType.Zstd });
    assert.equal(errorCode(z, { produceVersion: 6 }), ValidationErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    assert.equal(validateProduceRecords(z, { ...OPTS, produceVersion: 7 }).ok, true);
  });

  it('a producer id with a negative base sequence is INVALID_RECORD', () => {
    assert.equal(errorCode(batch({ producerId: 5, producerEpoch: 0, baseSequence: -1 })), ValidationErrorCode.INVALID_RECORD);
  });

  it('compacted topics reject null keys (in compressed batches too)', () => {
    const nullKey = batch({ records: [{ key: null, value: Buffer.from('x') }], compression: CompressionType.Lz4 });
    assert.equal(validateProduceRecords(nullKey, OPTS).ok, true, 'the shallow path does not look at records');
    assert.equal(errorCode(nullKey, { compactedTopic: true }), ValidationErrorCode.INVALID_RECORD);
  });

  it('deep validation catches a malformed record behind a valid CRC', () => {
    const bad = patched(batch(), (b) => { b[BATCH.HEADER_SIZE] += 2; });
    assert.equal(validateProduceRecords(bad, OPTS).ok, true);
    assert.equal(errorCode(bad, { deepValidation: true }), ValidationErrorCode.INVALID_RECORD);
  });

  it('deep validation catches offset deltas other than 0..n-1', () => {
    // Record 0 starts at byte 61: Length, Attributes, TimestampDelta (1 byte here), OffsetDelta.
    const bad = patched(batch(), (b) => { b[BATCH.HEADER_SIZE + 3] = 2 * 5; });
    assert.equal(errorCode(bad, { deepValidation: true }), ValidationErrorCode.INVALID_RECORD);
  });

  it('deep validation reports undecodable compressed data as CORRUPT_MESSAGE', () => {
    const gz = batch({ compression: CompressionType.Gzip });
    const bad = patched(gz, (b) => { b[BATCH.HEADER_SIZE + 12] ^= 0xff; });
    assert.equal(errorCode(bad, { deepValidation: true }), ValidationErrorCode.CORRUPT_MESSAGE);
  });

  it('deep validation caps decompression (MESSAGE_TOO_LARGE)', () => {
    const z = batch({ records: [{ key: Buffer.from('k'), value: Buffer.alloc(500_000) }], compression: CompressionType.Zstd });
    assert.equal(errorCode(z, { deepValidation: true, decompressedBytesMax: 100_000 }), ValidationErrorCode.MESSAGE_TOO_LARGE);
  });

  it('Produce v0-2 may carry several magic-2 batches', () => {
    const res = validateProduceRecords(Buffer.concat([batch(), batch()]), { ...OPTS, produceVersion: 2 });
    assert.ok(res.ok);
    assert.equal(res.batchCount, 2);
    assert.equal(res.recordCount, 4);
  });
});
