import { ProtocolError } from '../wire/protocol-error.ts';
import { Reader } from '../wire/reader.ts';

/**
 * One record inside a v2 batch (RECORDS.md §3): sizing, writing straight into a pre-sized
 * buffer, and parsing. Zig-zag varints are written inline here (not through Writer) because
 * this is the producer's hot path and the target buffer is already the right size.
 */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  /** Absolute offset: batch BaseOffset + OffsetDelta. */
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

const TWO_31 = 2147483648;

/** Zig-zag mapping for int32/int64 values held in a number (exact to 2^52). */
function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function unsignedVarintBytes(u: number): number {
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

export function varintBytes(v: number): number {
  const u = zigzag(v);
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  return unsignedVarintBytes(u);
}

/** Writes a zig-zag varint/varlong at `pos`, returns the new position. */
export function writeVarint(buf: Buffer, pos: number, v: number): number {
  let u = zigzag(v);
  if (u < TWO_31) {
    while (u >= 0x80) {
      buf[pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
  } else {
    while (u >= 0x80) {
      buf[pos++] = (u % 128) | 0x80;
      u = Math.floor(u / 128);
    }
  }
  buf[pos++] = u;
  return pos;
}

function nullableBytesSize(b: Buffer | null | undefined): number {
  return b == null ? 1 : varintBytes(b.length) + b.length;
}

function headersSize(headers: RecordHeader[] | undefined): number {
  if (headers === undefined) return 1;
  let size = varintBytes(headers.length);
  for (const h of headers) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    size += varintBytes(keyBytes) + keyBytes + nullableBytesSize(h.value);
  }
  return size;
}

/** Size of the record body (Attributes .. Headers), i.e. the value of its Length field. */
export function recordBodySize(r: RecordInput, timestampDelta: number, offsetDelta: number): number {
  return 1 + varintBytes(timestampDelta) + varintBytes(offsetDelta) +
    nullableBytesSize(r.key) + nullableBytesSize(r.value) + headersSize(r.headers);
}

function writeNullableBytes(buf: Buffer, pos: number, b: Buffer | null | undefined): number {
  if (b == null) {
    buf[pos] = 1; // zig-zag -1
    return pos + 1;
  }
  pos = writeVarint(buf, pos, b.length);
  b.copy(buf, pos);
  return pos + b.length;
}

/** Writes one record (Length then body) at `pos`; returns the position after it. */
export function writeRecord(
  buf: Buffer, pos: number, r: RecordInput, bodySize: number, timestampDelta: number, offsetDelta: number,
): number {
  pos = writeVarint(buf, pos, bodySize);
  buf[pos++] = 0; // record attributes: unused
  pos = writeVarint(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeNullableBytes(buf, pos, r.key);
  pos = writeNullableBytes(buf, pos, r.value);
  const headers = r.headers;
  if (headers === undefined) {
    buf[pos++] = 0;
    return pos;
  }
  pos = writeVarint(buf, pos, headers.length);
  for (const h of headers) {
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    pos = writeVarint(buf, pos, keyBytes);
    pos += buf.write(h.key, pos, keyBytes, 'utf8');
    pos = writeNullableBytes(buf, pos, h.value);
  }
  return pos;
}

function corrupt(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError('CORRUPT_RECORDS', message, cause === undefined ? undefined : { cause });
}

function readNullableBytes(r: Reader): Buffer | null {
  const len = r.varint();
  if (len < -1) throw corrupt(`negative length ${len}`);
  return len === -1 ? null : r.raw(len);
}

function readHeaders(r: Reader): RecordHeader[] {
  const count = r.varint();
  if (count < 0 || count > r.remaining) throw corrupt(`invalid header count ${count}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    const keyLen = r.varint();
    if (keyLen < 0) throw corrupt('null header key');
    const key = r.raw(keyLen).toString('utf8');
    headers.push({ key, value: readNullableBytes(r) });
  }
  return headers;
}

/**
 * Parses one record from `r`, whose Length field must cover exactly the fields read.
 * Key, value and header values are subarrays of the input (no copy).
 */
export function readRecord(r: Reader, baseOffset: number, baseTimestamp: number): KafkaRecord {
  const length = r.varint();
  if (length < 6 || length > r.remaining) throw corrupt(`record length ${length} with ${r.remaining} bytes left`);
  const end = r.offset + length;
  r.int8(); // attributes, unused
  const timestampDelta = r.varlong();
  const offsetDelta = r.varint();
  const key = readNullableBytes(r);
  const value = readNullableBytes(r);
  const headers = readHeaders(r);
  if (r.offset !== end) throw corrupt(`record length ${length} disagrees with its fields`);
  return { offset: baseOffset + offsetDelta, timestamp: baseTimestamp + timestampDelta, key, value, headers };
}
