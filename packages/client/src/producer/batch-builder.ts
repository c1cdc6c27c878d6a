// Why this does not call the protocol package's encodeRecordBatch / writeRecord
// (records/record-batch.ts, record-codec.ts): those take a finished RecordInput ({key, value:
// Buffer | null, headers: [{key, value}]}) and, for a whole batch, every record up front. The
// producer appends one record per send() call and accepts strings and header objects, so using
// them would mean a RecordInput object, a Buffer.from per string field and a header array per
// record on the producer's hot path, only to feed the same few lines of varint writing. What is
// shared is the batch layout (BATCH offsets, writeCrc) and compression. Output equality with the
// protocol decoder is pinned by test/producer/batch-builder.test.ts.
import { BATCH, writeCrc } from '@tributary/protocol/records/batch-header.ts';
import { compress, CompressionType } from '@tributary/protocol/records/compression.ts';

/** Bytes accepted where the client takes a key, value or header value. */
export type BytesLike = Buffer | string | null;

export type RecordHeaders = Record<string, BytesLike> | ReadonlyArray<{ key: string; value: BytesLike }>;

const INITIAL_BYTES = 1024;

function byteLen(v: BytesLike): number {
  if (v === null) return -1;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

/** Size of a zig-zag varint/varlong (exact for |v| <= 2^53). */
function zigzagSize(v: number): number {
  let u = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/**
 * Builds one magic-2 record batch incrementally: each record is encoded into the batch buffer as
 * it is appended, so the producer keeps no per-record objects. `finish()` fills the header,
 * compresses the records section if asked, and writes the CRC-32C.
 */
export class BatchBuilder {
  readonly compression: CompressionType;
  private buf: Buffer;
  private pos: number = BATCH.RECORDS;
  private count = 0;
  private baseTimestamp = -1;
  private maxTimestamp = -1;

  constructor(compression: CompressionType, initialBytes = INITIAL_BYTES) {
    this.compression = compression;
    this.buf = Buffer.allocUnsafe(Math.max(initialBytes, BATCH.RECORDS + 64));
  }

  get recordCount(): number { return this.count; }
  /** Uncompressed size so far, header included. */
  get sizeBytes(): number { return this.pos; }

  /** Upper bound of the bytes one record adds (used to decide whether it fits before appending). */
  static estimateRecordBytes(key: BytesLike, value: BytesLike, headers: RecordHeaders | undefined): number {
    let n = 21 + Math.max(0, byteLen(key)) + Math.max(0, byteLen(value)) + 10;
    if (headers !== undefined) {
      for (const [k, v] of headerEntries(headers)) n += 10 + Buffer.byteLength(k) + Math.max(0, byteLen(v));
    }
    return n;
  }

  append(key: BytesLike, value: BytesLike, headers: RecordHeaders | undefined, timestamp: number): void {
    if (this.count === 0) this.baseTimestamp = timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const tsDelta = timestamp - this.baseTimestamp;
    const offsetDelta = this.count;
    const keyLen = byteLen(key);
    const valueLen = byteLen(value);
    let headerCount = 0;
    let headersBytes = 0;
    if (headers !== undefined) {
      for (const [k, v] of headerEntries(headers)) {
        const kl = Buffer.byteLength(k);
        const vl = byteLen(v);
        headersBytes += zigzagSize(kl) + kl + zigzagSize(vl) + Math.max(0, vl);
        headerCount++;
      }
    }
    const bodyBytes = 1 + zigzagSize(tsDelta) + zigzagSize(offsetDelta)
      + zigzagSize(keyLen) + Math.max(0, keyLen) + zigzagSize(valueLen) + Math.max(0, valueLen)
      + zigzagSize(headerCount) + headersBytes;
    this.ensure(zigzagSize(bodyBytes) + bodyBytes);
    let p = this.writeZigzag(this.pos, bodyBytes);
    this.buf[p++] = 0; // attributes
    p = this.writeZigzag(p, tsDelta);
    p = this.writeZigzag(p, offsetDelta);
    p = this.writeBytes(p, key, keyLen);
    p = this.writeBytes(p, value, valueLen);
    p = this.writeZigzag(p, headerCount);
    if (headers !== undefined) {
      for (const [k, v] of headerEntries(headers)) {
        p = this.writeBytes(p, k, Buffer.byteLength(k));
        p = this.writeBytes(p, v, byteLen(v));
      }
    }
    this.pos = p;
    this.count++;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private writeZigzag(p: number, v: number): number {
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    const buf = this.buf;
    while (u >= 128) {
      buf[p++] = (u % 128) | 0x80;
      u = Math.floor(u / 128);
    }
    buf[p++] = u;
    return p;
  }

  private writeBytes(p: number, v: BytesLike, len: number): number {
    p = this.writeZigzag(p, len);
    if (v === null) return p;
    if (typeof v === 'string') this.buf.write(v, p, len, 'utf8');
    else v.copy(this.buf, p);
    return p + len;
  }

  /**
   * Completes the batch: producer id/epoch/sequence as given (-1 for a plain producer).
   * The builder must not be used afterwards.
   */
  finish(producerId = -1, producerEpoch = -1, baseSequence = -1): Buffer {
    let out: Buffer;
    if (this.compression === CompressionType.None) {
      out = this.buf.subarray(0, this.pos);
    } else {
      const compressed = compress(this.compression, this.buf.subarray(BATCH.RECORDS, this.pos));
      out = Buffer.allocUnsafe(BATCH.RECORDS + compressed.length);
      compressed.copy(out, BATCH.RECORDS);
    }
    out.writeInt32BE(0, BATCH.BASE_OFFSET);
    out.writeInt32BE(0, BATCH.BASE_OFFSET + 4);
    out.writeInt32BE(out.length - BATCH.LOG_OVERHEAD, BATCH.BATCH_LENGTH);
    out.writeInt32BE(-1, BATCH.PARTITION_LEADER_EPOCH);
    out.writeInt8(2, BATCH.MAGIC);
    out.writeInt16BE(this.compression, BATCH.ATTRIBUTES);
    out.writeInt32BE(this.count - 1, BATCH.LAST_OFFSET_DELTA);
    writeInt64(out, BATCH.BASE_TIMESTAMP, this.baseTimestamp);
    writeInt64(out, BATCH.MAX_TIMESTAMP, this.maxTimestamp);
    writeInt64(out, BATCH.PRODUCER_ID, producerId);
    out.writeInt16BE(producerEpoch, BATCH.PRODUCER_EPOCH);
    out.writeInt32BE(baseSequence, BATCH.BASE_SEQUENCE);
    out.writeInt32BE(this.count, BATCH.RECORD_COUNT);
    writeCrc(out, 0);
    return out;
  }
}

const TWO_32 = 4294967296;
function writeInt64(buf: Buffer, at: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * TWO_32, at + 4);
}

const EMPTY: Array<[string, BytesLike]> = [];

/** Iterates headers given as an object or as an array of {key, value}. */
function headerEntries(headers: RecordHeaders): Iterable<[string, BytesLike]> {
  if (Array.isArray(headers)) return (headers as ReadonlyArray<{ key: string; value: BytesLike }>).map((h) => [h.key, h.value] as [string, BytesLike]);
  const obj = headers as Record<string, BytesLike>;
  const keys = Object.keys(obj);
  if (keys.length === 0) return EMPTY;
  return Object.entries(obj);
}
