import { crc32c } from '@node-rs/crc32';

/**
 * Byte layout of a v2 ("magic 2") record batch header. See shared/kafka-protocol/RECORDS.md §1.
 * These helpers read and patch header fields in place so the broker keeps records as bytes.
 */
export const BATCH = {
  BASE_OFFSET: 0,
  BATCH_LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORD_COUNT: 57,
  RECORDS: 61,
  /** Bytes before BatchLength's coverage starts (BaseOffset + BatchLength). */
  LOG_OVERHEAD: 12,
  HEADER_SIZE: 61,
} as const;

export const ATTR = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE_LOG_APPEND: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40,
} as const;

const TWO_32 = 4294967296;

function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

function writeInt64(buf: Buffer, at: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * TWO_32, at + 4);
}

/** Total size in bytes of the batch starting at `at` (BatchLength + 12). */
export function batchSize(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + BATCH.BATCH_LENGTH) + BATCH.LOG_OVERHEAD;
}

export function baseOffset(buf: Buffer, at = 0): number {
  return readInt64(buf, at + BATCH.BASE_OFFSET);
}

export function setBaseOffset(buf: Buffer, at: number, offset: number): void {
  writeInt64(buf, at + BATCH.BASE_OFFSET, offset);
}

export function lastOffsetDelta(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + BATCH.LAST_OFFSET_DELTA);
}

/** Offset of the last record: BaseOffset + LastOffsetDelta. */
export function lastOffset(buf: Buffer, at = 0): number {
  return baseOffset(buf, at) + lastOffsetDelta(buf, at);
}

export function partitionLeaderEpoch(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + BATCH.PARTITION_LEADER_EPOCH);
}

export function setPartitionLeaderEpoch(buf: Buffer, at: number, epoch: number): void {
  buf.writeInt32BE(epoch, at + BATCH.PARTITION_LEADER_EPOCH);
}

export function magic(buf: Buffer, at = 0): number {
  return buf.readInt8(at + BATCH.MAGIC);
}

export function attributes(buf: Buffer, at = 0): number {
  return buf.readInt16BE(at + BATCH.ATTRIBUTES);
}

export function baseTimestamp(buf: Buffer, at = 0): number {
  return readInt64(buf, at + BATCH.BASE_TIMESTAMP);
}

export function maxTimestamp(buf: Buffer, at = 0): number {
  return readInt64(buf, at + BATCH.MAX_TIMESTAMP);
}

export function producerId(buf: Buffer, at = 0): number {
  return readInt64(buf, at + BATCH.PRODUCER_ID);
}

export function producerEpoch(buf: Buffer, at = 0): number {
  return buf.readInt16BE(at + BATCH.PRODUCER_EPOCH);
}

export function baseSequence(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + BATCH.BASE_SEQUENCE);
}

export function recordCount(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + BATCH.RECORD_COUNT);
}

export function storedCrc(buf: Buffer, at = 0): number {
  return buf.readUInt32BE(at + BATCH.CRC);
}

/** CRC-32C over Attributes .. end of batch, as the header should hold it. */
export function computeCrc(buf: Buffer, at = 0): number {
  const end = at + batchSize(buf, at);
  return crc32c(buf.subarray(at + BATCH.ATTRIBUTES, end)) >>> 0;
}

export function crcValid(buf: Buffer, at = 0): boolean {
  return computeCrc(buf, at) === storedCrc(buf, at);
}

/** Recomputes and stores the CRC (needed after changing Attributes or timestamps). */
export function writeCrc(buf: Buffer, at = 0): void {
  buf.writeUInt32BE(computeCrc(buf, at), at + BATCH.CRC);
}

/** Stamps LogAppendTime: sets the timestamp-type bit and MaxTimestamp, then rewrites the CRC. */
export function setLogAppendTime(buf: Buffer, at: number, timestampMs: number): void {
  buf.writeInt16BE(attributes(buf, at) | ATTR.TIMESTAMP_TYPE_LOG_APPEND, at + BATCH.ATTRIBUTES);
  writeInt64(buf, at + BATCH.MAX_TIMESTAMP, timestampMs);
  writeCrc(buf, at);
}
