// Confluent's wire format: magic byte 0, 4-byte big-endian schema id, then (Protobuf only) the
// message-index list, then the format's bytes. The index list is a zigzag varint count followed by
// zigzag varint indexes; the path [0] (first top-level message) is written as the single byte 0.
import { SerdeError } from './errors.ts';

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;
/** Longest message-index path we accept: deeper nesting is a corrupt or hostile payload. */
export const messageIndexesMax = 64;

/** Writes the 5-byte header at `offset`. */
export function writeHeader(buf: Buffer, schemaId: number, offset = 0): void {
  buf[offset] = MAGIC_BYTE;
  buf.writeInt32BE(schemaId, offset + 1);
}

/** The schema id of a framed payload; throws UNKNOWN_MAGIC_BYTE on a short or unframed one. */
export function readSchemaId(buf: Uint8Array): number {
  if (buf.length < HEADER_BYTES) throw new SerdeError('UNKNOWN_MAGIC_BYTE', `payload of ${buf.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  if (buf[0] !== MAGIC_BYTE) throw new SerdeError('UNKNOWN_MAGIC_BYTE', `unknown magic byte ${buf[0]}: not Confluent wire format`);
  return ((buf[1]! << 24) | (buf[2]! << 16) | (buf[3]! << 8) | buf[4]!) | 0;
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

function varintBytes(v: number): number {
  let n = 1;
  while (v >= 0x80) { v = Math.floor(v / 128); n++; }
  return n;
}

function writeVarint(buf: Buffer, v: number, pos: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** The encoded message-index list: `[0]` (and `[]`) as the single byte 0. */
export function encodeMessageIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 0 || (indexes.length === 1 && indexes[0] === 0)) return Buffer.from([0]);
  let size = varintBytes(zigzag(indexes.length));
  for (const i of indexes) size += varintBytes(zigzag(i));
  const out = Buffer.allocUnsafe(size);
  let pos = writeVarint(out, zigzag(indexes.length), 0);
  for (const i of indexes) pos = writeVarint(out, zigzag(i), pos);
  return out;
}

/** Reads a zigzag varint (up to 32 bits) at `pos`; returns [value, next position]. */
function readZigzag(buf: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new SerdeError('INVALID_PAYLOAD', 'message indexes run past the end of the payload');
    const b = buf[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new SerdeError('INVALID_PAYLOAD', 'message index varint longer than 5 bytes');
  }
  const value = result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  return [value, pos];
}

/** Decodes the index list at `pos` (just after the header); a count of 0 means `[0]`. */
export function decodeMessageIndexes(buf: Uint8Array, pos: number): { indexes: number[]; offset: number } {
  const [count, afterCount] = readZigzag(buf, pos);
  if (count === 0) return { indexes: [0], offset: afterCount };
  if (count < 0 || count > messageIndexesMax) throw new SerdeError('INVALID_PAYLOAD', `message index count ${count} outside [0, ${messageIndexesMax}]`);
  const indexes = new Array<number>(count);
  let p = afterCount;
  for (let i = 0; i < count; i++) {
    const [v, next] = readZigzag(buf, p);
    if (v < 0) throw new SerdeError('INVALID_PAYLOAD', `negative message index ${v}`);
    indexes[i] = v;
    p = next;
  }
  return { indexes, offset: p };
}
