import { ProtocolError } from '../wire/protocol-error.ts';
import { Reader } from '../wire/reader.ts';
import * as hdr from './batch-header.ts';
import { ATTR, BATCH } from './batch-header.ts';
import { CompressionType, decompress, decompressedBytesMax, isKnownCompression } from './compression.ts';

/**
 * What a broker checks on Produce before appending (RECORDS.md §7, Kafka's
 * ProduceRequest.validateRecords and LogValidator). The default path reads only batch headers
 * and one CRC per batch; records are decompressed and walked only with `deepValidation` or for
 * compacted topics (null keys). Expected failures come back as values with Kafka error codes.
 *
 * Where we differ from Java on purpose:
 * - A batch cut short by the end of the buffer is CORRUPT_MESSAGE (Java's iterator silently
 *   drops it and then fails "exactly one batch" with INVALID_RECORD).
 * - Codecs 5-7 give CORRUPT_MESSAGE (Java throws IllegalArgumentException: UNKNOWN_SERVER_ERROR).
 * - Magic 0/1 message sets give UNSUPPORTED_FOR_MESSAGE_FORMAT: we store only v2.
 * - A records section that decompresses past the limit gives MESSAGE_TOO_LARGE.
 */
export const ValidationErrorCode = {
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
} as const;

/** Produce v3 introduced magic 2 and the one-batch-per-partition rule. */
const PRODUCE_VERSION_ONE_BATCH_MIN = 3;
/** Produce v7 is the first that may carry zstd. */
const PRODUCE_VERSION_ZSTD_MIN = 7;

export interface ValidateOptions {
  /** max.message.bytes of the topic: the largest batch accepted. */
  maxMessageBytes: number;
  produceVersion: number;
  /** Decompress and walk every record. */
  deepValidation?: boolean;
  /** cleanup.policy includes compact: records need keys (implies a record walk). */
  compactedTopic?: boolean;
  /** Cap on one batch's decompressed records when walking records. */
  decompressedBytesMax?: number;
}

export interface ValidationOk {
  ok: true;
  batchCount: number;
  recordCount: number;
  /** Largest MaxTimestamp of the batches (-1 when empty). */
  maxTimestamp: number;
  /** First batch's BaseTimestamp. */
  baseTimestamp: number;
  /** Offsets the append will take: sum of LastOffsetDelta + 1. */
  offsetCount: number;
  compression: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  sizeBytes: number;
}

export interface ValidationError {
  ok: false;
  errorCode: number;
  message: string;
}

export type ValidationResult = ValidationOk | ValidationError;

function fail(errorCode: number, message: string): ValidationError {
  return { ok: false, errorCode, message };
}

/** Header-level checks of the batch at `at` (complete, magic 2, CRC not yet checked). */
function checkBatchHeader(buf: Buffer, at: number, opts: ValidateOptions): ValidationError | null {
  const size = hdr.batchSize(buf, at);
  if (size > opts.maxMessageBytes) {
    return fail(ValidationErrorCode.MESSAGE_TOO_LARGE, `batch of ${size} bytes exceeds max.message.bytes ${opts.maxMessageBytes}`);
  }
  if (!hdr.crcValid(buf, at)) return fail(ValidationErrorCode.CORRUPT_MESSAGE, `CRC mismatch in the batch at byte ${at}`);
  const attrs = hdr.attributes(buf, at);
  const codec = attrs & ATTR.COMPRESSION_MASK;
  if (!isKnownCompression(codec)) return fail(ValidationErrorCode.CORRUPT_MESSAGE, `invalid compression codec ${codec}`);
  if (codec === CompressionType.Zstd && opts.produceVersion < PRODUCE_VERSION_ZSTD_MIN) {
    return fail(ValidationErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `zstd needs Produce v${PRODUCE_VERSION_ZSTD_MIN}+, got v${opts.produceVersion}`);
  }
  const count = hdr.recordCount(buf, at);
  const countFromOffsets = hdr.lastOffsetDelta(buf, at) + 1;
  if (countFromOffsets <= 0) return fail(ValidationErrorCode.INVALID_RECORD, `invalid offset range: lastOffsetDelta ${countFromOffsets - 1}`);
  if (count <= 0) return fail(ValidationErrorCode.INVALID_RECORD, `invalid record count ${count}`);
  if (count !== countFromOffsets) {
    return fail(ValidationErrorCode.INVALID_RECORD, `record count ${count} disagrees with lastOffsetDelta ${countFromOffsets - 1}`);
  }
  if (attrs & ATTR.CONTROL) return fail(ValidationErrorCode.INVALID_RECORD, 'clients may not write control batches');
  if (hdr.producerId(buf, at) >= 0 && hdr.baseSequence(buf, at) < 0) {
    return fail(ValidationErrorCode.INVALID_RECORD, `producer id set but base sequence ${hdr.baseSequence(buf, at)} is negative`);
  }
  return null;
}

/** Reads a nullable length and skips that many bytes; returns the length (-1 = null). */
function skipNullable(r: Reader): number {
  const len = r.varint();
  if (len < -1) throw new ProtocolError('CORRUPT_RECORDS', `negative length ${len}`);
  if (len > 0) r.skip(len);
  return len;
}

/** Walks the records of one batch without building objects. */
function walkRecords(plain: Buffer, count: number, compacted: boolean): ValidationError | null {
  const r = new Reader(plain);
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    if (length < 6 || length > r.remaining) return fail(ValidationErrorCode.INVALID_RECORD, `record ${i}: bad length ${length}`);
    const end = r.offset + length;
    r.skip(1);
    r.varlong();
    const offsetDelta = r.varint();
    if (offsetDelta !== i) return fail(ValidationErrorCode.INVALID_RECORD, `record ${i}: offset delta ${offsetDelta}, expected ${i}`);
    if (skipNullable(r) < 0 && compacted) {
      return fail(ValidationErrorCode.INVALID_RECORD, `record ${i}: compacted topics do not accept records with a null key`);
    }
    skipNullable(r);
    const headerCount = r.varint();
    if (headerCount < 0 || headerCount > r.remaining) return fail(ValidationErrorCode.INVALID_RECORD, `record ${i}: bad header count`);
    for (let h = 0; h < headerCount; h++) {
      const keyLen = r.varint();
      if (keyLen < 0) return fail(ValidationErrorCode.INVALID_RECORD, `record ${i}: null header key`);
      r.skip(keyLen);
      skipNullable(r);
    }
    if (r.offset !== end) return fail(ValidationErrorCode.INVALID_RECORD, `record ${i}: length ${length} disagrees with its fields`);
  }
  if (r.remaining !== 0) return fail(ValidationErrorCode.INVALID_RECORD, `${r.remaining} bytes after the declared ${count} records`);
  return null;
}

function deepCheck(buf: Buffer, at: number, opts: ValidateOptions): ValidationError | null {
  const codec = hdr.attributes(buf, at) & ATTR.COMPRESSION_MASK;
  const section = buf.subarray(at + BATCH.HEADER_SIZE, at + hdr.batchSize(buf, at));
  try {
    const plain = decompress(codec, section, opts.decompressedBytesMax ?? decompressedBytesMax);
    return walkRecords(plain, hdr.recordCount(buf, at), opts.compactedTopic ?? false);
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    if (err.code === 'LIMIT_EXCEEDED') return fail(ValidationErrorCode.MESSAGE_TOO_LARGE, err.message);
    if (err.code === 'BUFFER_UNDERFLOW' || err.code === 'INVALID_VARINT') {
      return fail(ValidationErrorCode.INVALID_RECORD, `malformed record: ${err.message}`);
    }
    return fail(ValidationErrorCode.CORRUPT_MESSAGE, err.message);
  }
}

function emptyOk(): ValidationOk {
  return {
    ok: true, batchCount: 0, recordCount: 0, maxTimestamp: -1, baseTimestamp: -1, offsetCount: 0,
    compression: 0, producerId: -1, producerEpoch: -1, baseSequence: -1, isTransactional: false, sizeBytes: 0,
  };
}

function accumulate(acc: ValidationOk, buf: Buffer, at: number): void {
  if (acc.batchCount === 0) {
    acc.baseTimestamp = hdr.baseTimestamp(buf, at);
    acc.compression = hdr.attributes(buf, at) & ATTR.COMPRESSION_MASK;
    acc.producerId = hdr.producerId(buf, at);
    acc.producerEpoch = hdr.producerEpoch(buf, at);
    acc.baseSequence = hdr.baseSequence(buf, at);
    acc.isTransactional = (hdr.attributes(buf, at) & ATTR.TRANSACTIONAL) !== 0;
  }
  acc.batchCount++;
  acc.recordCount += hdr.recordCount(buf, at);
  acc.offsetCount += hdr.lastOffsetDelta(buf, at) + 1;
  acc.maxTimestamp = Math.max(acc.maxTimestamp, hdr.maxTimestamp(buf, at));
}

/** Validates the `records` of one partition in a Produce request. */
export function validateProduceRecords(records: Buffer | null, opts: ValidateOptions): ValidationResult {
  const oneBatch = opts.produceVersion >= PRODUCE_VERSION_ONE_BATCH_MIN;
  const buf = records ?? Buffer.alloc(0);
  const acc = emptyOk();
  const walk = (opts.deepValidation ?? false) || (opts.compactedTopic ?? false);
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < BATCH.HEADER_SIZE) {
      if (buf.length - at > BATCH.MAGIC && hdr.magic(buf, at) !== 2) break; // judged below as old format
      return fail(ValidationErrorCode.CORRUPT_MESSAGE, `truncated batch: ${buf.length - at} bytes left at byte ${at}`);
    }
    const magic = hdr.magic(buf, at);
    if (magic !== 2) break;
    const length = buf.readInt32BE(at + BATCH.BATCH_LENGTH);
    if (length < BATCH.HEADER_SIZE - BATCH.LOG_OVERHEAD) return fail(ValidationErrorCode.CORRUPT_MESSAGE, `batch length ${length} below the header size`);
    if (at + BATCH.LOG_OVERHEAD + length > buf.length) {
      return fail(ValidationErrorCode.CORRUPT_MESSAGE, `batch length ${length} at byte ${at} runs past the ${buf.length}-byte records`);
    }
    if (oneBatch && acc.batchCount === 1) {
      return fail(ValidationErrorCode.INVALID_RECORD, 'Produce v3+ requires exactly one record batch per partition');
    }
    const err = checkBatchHeader(buf, at, opts) ?? (walk ? deepCheck(buf, at, opts) : null);
    if (err !== null) return err;
    accumulate(acc, buf, at);
    acc.sizeBytes += hdr.batchSize(buf, at);
    at += hdr.batchSize(buf, at);
  }
  if (at < buf.length) {
    if (oneBatch) return fail(ValidationErrorCode.INVALID_RECORD, `Produce v3+ requires magic 2, got magic ${hdr.magic(buf, at)}`);
    return fail(ValidationErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `message format v${hdr.magic(buf, at)} is not supported; use magic 2 (Produce v3+)`);
  }
  if (oneBatch && acc.batchCount !== 1) {
    return fail(ValidationErrorCode.INVALID_RECORD, 'Produce v3+ requires exactly one record batch per partition');
  }
  return acc;
}
