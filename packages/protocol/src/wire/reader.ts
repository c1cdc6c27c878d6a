import { ProtocolError } from './protocol-error.ts';

const TWO_32 = 4294967296;

/**
 * Cursor over a Buffer for Kafka's primitive types. Every read is bounds-checked and throws
 * ProtocolError('BUFFER_UNDERFLOW') past `end`. Byte fields are returned as subarrays (no copy).
 * int64 values are returned as `number`: exact for |v| <= 2^53, which covers offsets,
 * timestamps and producer ids in practice.
 */
export class Reader {
  readonly buf: Buffer;
  offset: number;
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.end) {
      throw new ProtocolError('BUFFER_UNDERFLOW', `need ${n} bytes at offset ${at}, have ${this.end - at}`);
    }
    this.offset = at + n;
    return at;
  }

  skip(n: number): void {
    this.need(n);
  }

  int8(): number { return this.buf.readInt8(this.need(1)); }
  uint8(): number { return this.buf[this.need(1)]!; }
  bool(): boolean { return this.buf[this.need(1)] !== 0; }
  int16(): number { return this.buf.readInt16BE(this.need(2)); }
  uint16(): number { return this.buf.readUInt16BE(this.need(2)); }
  int32(): number { return this.buf.readInt32BE(this.need(4)); }
  uint32(): number { return this.buf.readUInt32BE(this.need(4)); }
  float64(): number { return this.buf.readDoubleBE(this.need(8)); }

  int64(): number {
    const at = this.need(8);
    return this.buf.readInt32BE(at) * TWO_32 + this.buf.readUInt32BE(at + 4);
  }

  /** Kafka UUID as its canonical text form: 22 chars of unpadded base64url. */
  uuid(): string {
    const at = this.need(16);
    return this.buf.toString('base64url', at, at + 16);
  }

  unsignedVarint(): number {
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.buf[this.need(1)]!;
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
      shift += 7;
    }
    throw new ProtocolError('INVALID_VARINT', `unsigned varint longer than 5 bytes at ${this.offset}`);
  }

  /** Zig-zag signed varint (int32 range). */
  varint(): number {
    const u = this.unsignedVarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zig-zag signed varlong; exact for |v| <= 2^53. */
  varlong(): number {
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.need(1)]!;
      value += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
      mul *= 128;
    }
    throw new ProtocolError('INVALID_VARINT', `varlong longer than 10 bytes at ${this.offset}`);
  }

  private utf8(len: number): string {
    const at = this.need(len);
    return this.buf.toString('utf8', at, at + len);
  }

  string(): string {
    const len = this.int16();
    if (len < 0) throw new ProtocolError('NULL_NOT_ALLOWED', 'null string in a non-nullable field');
    return this.utf8(len);
  }

  nullableString(): string | null {
    const len = this.int16();
    return len < 0 ? null : this.utf8(len);
  }

  compactString(): string {
    const len = this.unsignedVarint() - 1;
    if (len < 0) throw new ProtocolError('NULL_NOT_ALLOWED', 'null compact string in a non-nullable field');
    return this.utf8(len);
  }

  compactNullableString(): string | null {
    const len = this.unsignedVarint() - 1;
    return len < 0 ? null : this.utf8(len);
  }

  /** Raw bytes of a known length, as a subarray. */
  raw(len: number): Buffer {
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }

  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) throw new ProtocolError('NULL_NOT_ALLOWED', 'null bytes in a non-nullable field');
    return this.raw(len);
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    return len < 0 ? null : this.raw(len);
  }

  compactBytes(): Buffer {
    const len = this.unsignedVarint() - 1;
    if (len < 0) throw new ProtocolError('NULL_NOT_ALLOWED', 'null compact bytes in a non-nullable field');
    return this.raw(len);
  }

  compactNullableBytes(): Buffer | null {
    const len = this.unsignedVarint() - 1;
    return len < 0 ? null : this.raw(len);
  }

  /**
   * Array length (int32, -1 = null). A count larger than the bytes left cannot be honest
   * (every element takes at least one byte), so it is rejected before anything is allocated.
   */
  arrayLength(): number {
    const n = this.int32();
    if (n > this.remaining) throw new ProtocolError('INVALID_LENGTH', `array length ${n} exceeds ${this.remaining} remaining bytes`);
    return n;
  }

  /** Compact array length (unsigned varint N+1, 0 = null); returns -1 for null. */
  compactArrayLength(): number {
    const n = this.unsignedVarint() - 1;
    if (n > this.remaining) throw new ProtocolError('INVALID_LENGTH', `array length ${n} exceeds ${this.remaining} remaining bytes`);
    return n;
  }
}
