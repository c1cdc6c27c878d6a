import fs from 'node:fs';
import {
  ATTR,
  BATCH,
  attributes,
  baseTimestamp,
  batchSize,
  crcValid,
  lastOffsetDelta,
  magic,
  maxTimestamp,
  baseOffset as readBaseOffset,
} from '@tributary/protocol';

/**
 * Walks v2 batch headers in a segment file, reading in large chunks (recovery must scan
 * a GiB in seconds, so never a syscall per batch).
 */
export interface ScanOptions {
  /** Read whole batches and check magic + CRC-32C (recovery). Header-only otherwise. */
  verify: boolean;
  /** Read size per syscall. */
  chunkBytes: number;
}

/** Called per batch with the buffer holding it at `at`; return false to stop (batch rejected). */
export type BatchVisitor = (buf: Buffer, at: number, position: number, size: number) => boolean;

export interface ScanResult {
  /** File position just after the last accepted batch. */
  endPosition: number;
  /** Why scanning stopped before `to`, or null when every byte up to `to` was accepted. */
  stopReason: 'torn' | 'corrupt' | 'rejected' | null;
}

/** Smallest legal v2 batch: the header with zero records. */
export const BATCH_BYTES_MIN = BATCH.HEADER_SIZE;
export const RECOVERY_CHUNK_BYTES = 8 * 1024 * 1024;
export const LOOKUP_CHUNK_BYTES = 64 * 1024;

function readAt(fd: number, buf: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

export function scanBatches(fd: number, from: number, to: number, opts: ScanOptions, visit: BatchVisitor): ScanResult {
  let buf = Buffer.allocUnsafe(Math.min(opts.chunkBytes, Math.max(to - from, BATCH_BYTES_MIN)));
  let bufStart = from;
  let bufLen = 0;
  let pos = from;
  const ensure = (need: number): boolean => {
    if (pos - bufStart + need <= bufLen) return true;
    if (need > buf.length) buf = Buffer.allocUnsafe(need);
    bufStart = pos;
    bufLen = readAt(fd, buf, Math.min(buf.length, to - pos), pos);
    return need <= bufLen;
  };
  while (pos < to) {
    if (to - pos < BATCH_BYTES_MIN || !ensure(BATCH_BYTES_MIN)) return { endPosition: pos, stopReason: 'torn' };
    let at = pos - bufStart;
    const size = batchSize(buf, at);
    if (size < BATCH_BYTES_MIN || magic(buf, at) !== 2 || lastOffsetDelta(buf, at) < 0) {
      return { endPosition: pos, stopReason: 'corrupt' };
    }
    if (size > to - pos) return { endPosition: pos, stopReason: 'torn' };
    if (opts.verify) {
      if (!ensure(size)) return { endPosition: pos, stopReason: 'torn' };
      at = pos - bufStart;
      if (!crcValid(buf, at)) return { endPosition: pos, stopReason: 'corrupt' };
    }
    if (!visit(buf, at, pos, size)) return { endPosition: pos, stopReason: 'rejected' };
    pos += size;
  }
  return { endPosition: pos, stopReason: null };
}

/** Supplies the buffer a read goes into (e.g. recycled memory); must return at least `bytes` bytes. */
export type ReadBufferAllocator = (bytes: number) => Buffer;

/** Reads `length` bytes at `position` into a fresh buffer, or one from `alloc` (short at end of file). */
export function readRange(fd: number, position: number, length: number, alloc?: ReadBufferAllocator): Buffer {
  const buf = alloc === undefined ? Buffer.allocUnsafe(length) : alloc(length).subarray(0, length);
  const n = readAt(fd, buf, length, position);
  return n === length ? buf : buf.subarray(0, n);
}

/** Zig-zag varint (Kafka's varint / varlong), returning [value, nextPosition]. */
function readVarint(buf: Buffer, at: number): [number, number] {
  let raw = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = buf[at + i];
    if (b === undefined) return [NaN, at + i];
    raw += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      return [value, at + i + 1];
    }
    mul *= 128;
  }
  return [NaN, at + 10];
}

/**
 * First record in the batch at `at` with timestamp >= `targetMs` (ListOffsets semantics).
 * Record timestamps are read for uncompressed CreateTime batches; for compressed or LogAppendTime
 * batches the batch granularity answer (base offset, max timestamp) is returned.
 */
export function firstRecordAtOrAfter(buf: Buffer, at: number, targetMs: number): { offset: number; timestamp: number } {
  const base = readBaseOffset(buf, at);
  const batchMax = maxTimestamp(buf, at);
  const attrs = attributes(buf, at);
  const logAppend = (attrs & ATTR.TIMESTAMP_TYPE_LOG_APPEND) !== 0;
  if (logAppend || (attrs & ATTR.COMPRESSION_MASK) !== 0) return { offset: base, timestamp: batchMax };
  const firstTs = baseTimestamp(buf, at);
  const end = at + batchSize(buf, at);
  let p = at + BATCH.RECORDS;
  while (p < end) {
    const [length, bodyAt] = readVarint(buf, p);
    if (!Number.isFinite(length) || length <= 0) break;
    const [tsDelta, afterTs] = readVarint(buf, bodyAt + 1);
    const [offsetDelta] = readVarint(buf, afterTs);
    if (!Number.isFinite(tsDelta) || !Number.isFinite(offsetDelta)) break;
    if (firstTs + tsDelta >= targetMs) return { offset: base + offsetDelta, timestamp: firstTs + tsDelta };
    p = bodyAt + length;
  }
  return { offset: base, timestamp: batchMax };
}
