import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as hdr from '../../src/records/batch-header.ts';
import { BATCH } from '../../src/records/batch-header.ts';
import { CompressionType } from '../../src/records/compression.ts';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/records/record-batch.ts';
import type { RecordInput } from '../../src/records/record-codec.ts';
import { ProtocolError } from '../../src/wire/protocol-error.ts';

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
const NOW = 1_700_000_000_000;

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, String(err));
    return err.code;
  }
  assert.fail('expected a throw');
}

function manyRecords(n: number): RecordInput[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 7 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 11 === 0 ? null : Buffer.from(`value-${i}-`.repeat(3)),
    headers: i % 3 === 0 ? [{ key: `h${i}`, value: i % 2 ? null : Buffer.from('hv') }] : [],
    timestamp: NOW + i * 10 - (i % 5) * 3,
  }));
}

function assertSameRecords(input: RecordInput[], baseOffset: number, codec: number): void {
  const batch = encodeRecordBatch({ records: input, compression: codec, baseOffset, now: NOW });
  const [decoded] = decodeRecordBatches(batch);
  assert.ok(decoded);
  assert.equal(decoded.compression, codec);
  assert.equal(decoded.recordCount, input.length);
  assert.equal(decoded.sizeBytes, batch.length);
  decoded.records.forEach((r, i) => {
    const want = input[i]!;
    assert.equal(r.offset, baseOffset + i);
    assert.equal(r.timestamp, want.timestamp ?? NOW);
    assert.deepEqual(r.key, want.key ?? null);
    assert.deepEqual(r.value, want.value);
    assert.deepEqual(r.headers, want.headers ?? []);
  });
}

describe('encodeRecordBatch / decodeRecordBatches round trips', () => {
  for (const codec of CODECS) {
    it(`codec ${codec}: empty batch`, () => {
      const batch = encodeRecordBatch({ records: [], compression: codec, now: NOW });
      const [d] = decodeRecordBatches(batch);
      assert.equal(d!.recordCount, 0);
      assert.equal(d!.lastOffsetDelta, -1);
      assert.deepEqual(d!.records, []);
    });
    it(`codec ${codec}: one record`, () => assertSameRecords([{ key: Buffer.from('k'), value: Buffer.from('v') }], 0, codec));
    it(`codec ${codec}: 10k records with null keys/values and headers`, () => assertSameRecords(manyRecords(10_000), 1234, codec));
    it(`codec ${codec}: large values`, () => {
      assertSameRecords([{ value: Buffer.alloc(3 * 1024 * 1024, 7) }, { key: Buffer.alloc(70_000, 1), value: Buffer.alloc(200_000, 2) }], 0, codec);
    });
  }

  it('writes header fields as given and a valid CRC', () => {
    const batch = encodeRecordBatch({
      records: [{ value: Buffer.from('a'), timestamp: NOW + 5 }, { value: Buffer.from('b'), timestamp: NOW }],
      baseOffset: 2 ** 40, partitionLeaderEpoch: 9, producerId: 2 ** 35, producerEpoch: 3, baseSequence: 77,
      transactional: true, now: NOW,
    });
    assert.equal(hdr.magic(batch), 2);
    assert.equal(hdr.baseOffset(batch), 2 ** 40);
    assert.equal(hdr.partitionLeaderEpoch(batch), 9);
    assert.equal(hdr.producerId(batch), 2 ** 35);
    assert.equal(hdr.producerEpoch(batch), 3);
    assert.equal(hdr.baseSequence(batch), 77);
    assert.equal(hdr.baseTimestamp(batch), NOW + 5);
    assert.equal(hdr.maxTimestamp(batch), NOW + 5);
    assert.equal(hdr.attributes(batch), 0x10);
    assert.ok(hdr.crcValid(batch));
    const [d] = decodeRecordBatches(batch);
    assert.equal(d!.isTransactional, true);
    assert.equal(d!.records[1]!.offset, 2 ** 40 + 1);
    assert.equal(d!.records[1]!.timestamp, NOW);
  });

  it('LogAppendTime sets the attribute and MaxTimestamp, and records read the append time', () => {
    const batch = encodeRecordBatch({ records: [{ value: null, timestamp: 5 }], timestampType: 'LogAppendTime', now: NOW });
    const [d] = decodeRecordBatches(batch);
    assert.equal(d!.timestampType, 'LogAppendTime');
    assert.equal(d!.maxTimestamp, NOW);
    assert.equal(d!.records[0]!.timestamp, NOW);
  });

  it('handles negative timestamp deltas and multi-byte varints', () => {
    assertSameRecords([{ value: null, timestamp: NOW }, { value: null, timestamp: 0 }, { value: Buffer.alloc(20_000) }], 0, 0);
  });
});

describe('decodeRecordBatches framing', () => {
  const one = encodeRecordBatch({ records: manyRecords(3), now: NOW });
  const two = encodeRecordBatch({ records: manyRecords(2), baseOffset: 3, compression: CompressionType.Gzip, now: NOW });

  it('reads batches back to back', () => {
    const batches = decodeRecordBatches(Buffer.concat([one, two]));
    assert.deepEqual(batches.map((b) => b.baseOffset), [0, 3]);
  });

  it('ignores a trailing partial batch at every cut point', () => {
    const both = Buffer.concat([one, two]);
    for (let cut = one.length; cut < both.length; cut++) {
      assert.equal(decodeRecordBatches(both.subarray(0, cut)).length, 1, `cut at ${cut}`);
    }
    assert.deepEqual(decodeRecordBatches(Buffer.alloc(0)), []);
  });

  it('flags a flipped byte anywhere in the CRC range as CORRUPT_RECORDS', () => {
    for (let at = BATCH.ATTRIBUTES; at < one.length; at += 7) {
      const bad = Buffer.from(one);
      bad[at] ^= 0x01;
      assert.equal(code(() => decodeRecordBatches(bad)), 'CORRUPT_RECORDS', `byte ${at}`);
    }
  });

  it('decodes with verifyCrc off, and BaseOffset/leader epoch are outside the CRC', () => {
    const b = Buffer.from(one);
    hdr.setBaseOffset(b, 0, 500);
    hdr.setPartitionLeaderEpoch(b, 0, 4);
    assert.equal(decodeRecordBatches(b)[0]!.records[0]!.offset, 500);
    b[BATCH.CRC] ^= 0xff;
    assert.equal(decodeRecordBatches(b, { verifyCrc: false }).length, 1);
  });

  it('rejects magic 0/1 message sets with UNSUPPORTED_VERSION', () => {
    const legacy = Buffer.from(one);
    legacy[BATCH.MAGIC] = 1;
    assert.equal(code(() => decodeRecordBatches(legacy)), 'UNSUPPORTED_VERSION');
  });

  it('rejects a record whose length disagrees with its fields', () => {
    const b = Buffer.from(one);
    b[BATCH.HEADER_SIZE] += 2; // first record's Length varint
    hdr.writeCrc(b);
    assert.equal(code(() => decodeRecordBatches(b)), 'CORRUPT_RECORDS');
  });

  it('rejects a record count larger than the records present', () => {
    const b = Buffer.from(one);
    b.writeInt32BE(4, BATCH.RECORD_COUNT);
    hdr.writeCrc(b);
    assert.equal(code(() => decodeRecordBatches(b)), 'CORRUPT_RECORDS');
  });

  it('applies the decompressed size limit per batch', () => {
    const big = encodeRecordBatch({ records: [{ value: Buffer.alloc(2_000_000) }], compression: CompressionType.Zstd, now: NOW });
    assert.equal(code(() => decodeRecordBatches(big, { decompressedBytesMax: 1_000_000 })), 'LIMIT_EXCEEDED');
  });
});
