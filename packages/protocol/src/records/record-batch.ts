import { crc32c } from '@node-rs/crc32';
import { ProtocolError } from '../wire/protocol-error.ts';
import { Reader } from '../wire/reader.ts';
import * as hdr from './batch-header.ts';
import { ATTR, BATCH } from './batch-header.ts';
import { CompressionType, compress, decompress, decompressedBytesMax } from './compression.ts';
import type { KafkaRecord, RecordInput } from './record-codec.ts';
import { readRecord, recordBodySize, varintBytes, writeRecord } from './record-codec.ts';

/**
 * Encoding and decoding of whole v2 record batches (RECORDS.md §1-2). The encoder sizes each
 * record arithmetically, writes records straight into one buffer (the batch itself when
 * uncompressed, a reusable scratch buffer otherwise), then writes BatchLength and CRC last.
 * Magic 0/1 message sets are not parsed: decoding one throws ProtocolError('UNSUPPORTED_VERSION').
 */
export const MAGIC_V2 = 2;
/** Largest batch the encoder builds (BatchLength is an int32). */
export const batchBytesMax = 0x7fffffff;
/** Scratch for the uncompressed records section of compressed batches; grows, never shrinks past this. */
const SCRATCH_BYTES_KEEP_MAX = 8 * 1024 * 1024;

export interface RecordBatchInput {
  records: RecordInput[];
  compression?: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  timestampType?: 'CreateTime' | 'LogAppendTime';
  /** Clock for records without a timestamp, and the append time for LogAppendTime. */
  now?: number;
  /** Defaults to the first record's timestamp (what Java and librdkafka do). */
  baseTimestamp?: number;
}

export interface DecodedBatch {
  baseOffset: number;
  lastOffsetDelta: number;
  partitionLeaderEpoch: number;
  magic: number;
  attributes: number;
  compression: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  isTransactional: boolean;
  isControl: boolean;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  records: KafkaRecord[];
  /** Bytes the batch occupies in the input (BatchLength + 12). */
  sizeBytes: number;
}

export interface DecodeOptions {
  /** Check each batch's CRC-32C (default true). */
  verifyCrc?: boolean;
  /** Per-batch cap on the decompressed records section. */
  decompressedBytesMax?: number;
}

let scratch = Buffer.allocUnsafe(64 * 1024);

function scratchOf(bytes: number): Buffer {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafe(Math.max(bytes, scratch.length * 2));
  return scratch;
}

function writeInt64(buf: Buffer, at: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * 4294967296, at + 4);
}

function attributesOf(input: RecordBatchInput, compression: number): number {
  let attrs = compression & ATTR.COMPRESSION_MASK;
  if (input.timestampType === 'LogAppendTime') attrs |= ATTR.TIMESTAMP_TYPE_LOG_APPEND;
  if (input.transactional) attrs |= ATTR.TRANSACTIONAL;
  if (input.control) attrs |= ATTR.CONTROL;
  return attrs;
}

interface RecordsLayout {
  bodySizes: number[];
  totalBytes: number;
  baseTimestamp: number;
  maxTimestamp: number;
}

function layoutRecords(input: RecordBatchInput, now: number): RecordsLayout {
  const records = input.records;
  const baseTimestamp = input.baseTimestamp ?? (records.length > 0 ? records[0]!.timestamp ?? now : -1);
  let maxTimestamp = -1;
  let totalBytes = 0;
  const bodySizes = new Array<number>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const ts = r.timestamp ?? now;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const body = recordBodySize(r, ts - baseTimestamp, i);
    bodySizes[i] = body;
    totalBytes += varintBytes(body) + body;
  }
  return { bodySizes, totalBytes, baseTimestamp, maxTimestamp };
}

function writeRecords(buf: Buffer, pos: number, input: RecordBatchInput, layout: RecordsLayout, now: number): number {
  const records = input.records;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    pos = writeRecord(buf, pos, r, layout.bodySizes[i]!, (r.timestamp ?? now) - layout.baseTimestamp, i);
  }
  return pos;
}

function writeHeader(buf: Buffer, input: RecordBatchInput, attrs: number, layout: RecordsLayout, now: number): void {
  const count = input.records.length;
  writeInt64(buf, BATCH.BASE_OFFSET, input.baseOffset ?? 0);
  buf.writeInt32BE(input.partitionLeaderEpoch ?? -1, BATCH.PARTITION_LEADER_EPOCH);
  buf.writeInt8(MAGIC_V2, BATCH.MAGIC);
  buf.writeInt16BE(attrs, BATCH.ATTRIBUTES);
  buf.writeInt32BE(count - 1, BATCH.LAST_OFFSET_DELTA);
  writeInt64(buf, BATCH.BASE_TIMESTAMP, layout.baseTimestamp);
  const maxTs = input.timestampType === 'LogAppendTime' ? now : layout.maxTimestamp;
  writeInt64(buf, BATCH.MAX_TIMESTAMP, maxTs);
  writeInt64(buf, BATCH.PRODUCER_ID, input.producerId ?? -1);
  buf.writeInt16BE(input.producerEpoch ?? -1, BATCH.PRODUCER_EPOCH);
  buf.writeInt32BE(input.baseSequence ?? -1, BATCH.BASE_SEQUENCE);
  buf.writeInt32BE(count, BATCH.RECORD_COUNT);
}

function finish(batch: Buffer): Buffer {
  batch.writeInt32BE(batch.length - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
  batch.writeUInt32BE(crc32c(batch.subarray(BATCH.ATTRIBUTES)) >>> 0, BATCH.CRC);
  return batch;
}

/** Encodes one v2 record batch. */
export function encodeRecordBatch(input: RecordBatchInput): Buffer {
  const now = input.now ?? Date.now();
  const compression = input.compression ?? CompressionType.None;
  const layout = layoutRecords(input, now);
  if (BATCH.HEADER_SIZE + layout.totalBytes > batchBytesMax) {
    throw new ProtocolError('LIMIT_EXCEEDED', `batch of ${layout.totalBytes} record bytes exceeds ${batchBytesMax}`);
  }
  const attrs = attributesOf(input, compression);
  let batch: Buffer;
  if (compression === CompressionType.None || input.records.length === 0) {
    batch = Buffer.allocUnsafe(BATCH.HEADER_SIZE + layout.totalBytes);
    writeRecords(batch, BATCH.HEADER_SIZE, input, layout, now);
  } else {
    const plain = scratchOf(layout.totalBytes);
    writeRecords(plain, 0, input, layout, now);
    const packed = compress(compression, plain.subarray(0, layout.totalBytes));
    if (scratch.length > SCRATCH_BYTES_KEEP_MAX) scratch = Buffer.allocUnsafe(64 * 1024);
    batch = Buffer.allocUnsafe(BATCH.HEADER_SIZE + packed.length);
    packed.copy(batch, BATCH.HEADER_SIZE);
  }
  writeHeader(batch, input, attrs, layout, now);
  return finish(batch);
}

function corrupt(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError('CORRUPT_RECORDS', message, cause === undefined ? undefined : { cause });
}

/** Parses the records section of the batch at `at` (already bounds- and CRC-checked). */
export function decodeBatchRecords(buf: Buffer, at: number, limitBytes: number = decompressedBytesMax): KafkaRecord[] {
  const end = at + hdr.batchSize(buf, at);
  const count = hdr.recordCount(buf, at);
  const base = hdr.baseOffset(buf, at);
  const baseTs = hdr.baseTimestamp(buf, at);
  const compression = hdr.attributes(buf, at) & ATTR.COMPRESSION_MASK;
  const section = buf.subarray(at + BATCH.HEADER_SIZE, end);
  // An empty section stays empty whatever the codec (the encoder does not compress zero records).
  const plain = compression === CompressionType.None || section.length === 0 ? section : decompress(compression, section, limitBytes);
  if (count < 0 || count > plain.length) throw corrupt(`record count ${count} impossible in ${plain.length} bytes`);
  const reader = new Reader(plain);
  const records: KafkaRecord[] = [];
  try {
    for (let i = 0; i < count; i++) records.push(readRecord(reader, base, baseTs));
  } catch (err) {
    if (err instanceof ProtocolError && err.code === 'CORRUPT_RECORDS') throw err;
    throw corrupt(`malformed record ${records.length} of ${count}: ${(err as Error).message}`, err);
  }
  if (reader.remaining !== 0) throw corrupt(`${reader.remaining} bytes after the last of ${count} records`);
  return records;
}

function decodeHeader(buf: Buffer, at: number, records: KafkaRecord[]): DecodedBatch {
  const attributes = hdr.attributes(buf, at);
  return {
    baseOffset: hdr.baseOffset(buf, at),
    lastOffsetDelta: hdr.lastOffsetDelta(buf, at),
    partitionLeaderEpoch: hdr.partitionLeaderEpoch(buf, at),
    magic: hdr.magic(buf, at),
    attributes,
    compression: attributes & ATTR.COMPRESSION_MASK,
    timestampType: attributes & ATTR.TIMESTAMP_TYPE_LOG_APPEND ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & ATTR.TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR.CONTROL) !== 0,
    baseTimestamp: hdr.baseTimestamp(buf, at),
    maxTimestamp: hdr.maxTimestamp(buf, at),
    producerId: hdr.producerId(buf, at),
    producerEpoch: hdr.producerEpoch(buf, at),
    baseSequence: hdr.baseSequence(buf, at),
    recordCount: hdr.recordCount(buf, at),
    records,
    sizeBytes: hdr.batchSize(buf, at),
  };
}

/**
 * Decodes record batches placed back to back. A trailing partial batch (cut off by Fetch size
 * limits) is ignored, as consumers must. Throws ProtocolError: CORRUPT_RECORDS (bad length, CRC
 * or record), UNSUPPORTED_VERSION (magic 0/1), UNSUPPORTED_COMPRESSION, LIMIT_EXCEEDED.
 * When LogAppendTime is set, record timestamps are the batch's MaxTimestamp (what Kafka clients show).
 */
export function decodeRecordBatches(buf: Buffer, opts: DecodeOptions = {}): DecodedBatch[] {
  const verifyCrc = opts.verifyCrc ?? true;
  const limitBytes = opts.decompressedBytesMax ?? decompressedBytesMax;
  const batches: DecodedBatch[] = [];
  let at = 0;
  while (buf.length - at >= BATCH.LOG_OVERHEAD) {
    const batchLength = buf.readInt32BE(at + BATCH.BATCH_LENGTH);
    if (at + BATCH.LOG_OVERHEAD + batchLength > buf.length) break; // trailing partial batch
    if (batchLength < BATCH.MAGIC + 1 - BATCH.LOG_OVERHEAD) throw corrupt(`batch length ${batchLength} at byte ${at} is too small`);
    const magic = hdr.magic(buf, at);
    if (magic !== MAGIC_V2) {
      throw new ProtocolError('UNSUPPORTED_VERSION', `message format v${magic} (magic ${magic}) at byte ${at} is not supported; only v2 batches are`);
    }
    if (batchLength < BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD) throw corrupt(`batch length ${batchLength} at byte ${at} is below the v2 header size`);
    if (verifyCrc && !hdr.crcValid(buf, at)) throw corrupt(`CRC mismatch in the batch at byte ${at}`);
    const records = decodeBatchRecords(buf, at, limitBytes);
    const batch = decodeHeader(buf, at, records);
    if (batch.timestampType === 'LogAppendTime') for (const r of records) r.timestamp = batch.maxTimestamp;
    batches.push(batch);
    at += batch.sizeBytes;
  }
  return batches;
}
