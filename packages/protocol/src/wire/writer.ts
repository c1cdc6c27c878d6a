const TWO_32 = 4294967296;
/** Byte fields at least this large are appended by reference instead of copied. */
export const WRITER_REF_THRESHOLD_BYTES = 4096;

/**
 * Growable output for Kafka's primitive types. Large byte fields (record batches) can be
 * appended by reference with `bytesRef`, so a Fetch response does not copy log data; the
 * result is then a list of chunks for `socket.write`/`writev`. `length` is the total so far.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;
  private start = 0;
  private readonly chunks: Buffer[] = [];
  private chunkedLength = 0;

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.chunkedLength + (this.pos - this.start);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, used + n, 256));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  int8(v: number): this { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; return this; }
  uint8(v: number): this { this.ensure(1); this.buf[this.pos++] = v; return this; }
  bool(v: boolean): this { return this.uint8(v ? 1 : 0); }
  int16(v: number): this { this.ensure(2); this.buf.writeInt16BE(v, this.pos); this.pos += 2; return this; }
  uint16(v: number): this { this.ensure(2); this.buf.writeUInt16BE(v, this.pos); this.pos += 2; return this; }
  int32(v: number): this { this.ensure(4); this.buf.writeInt32BE(v, this.pos); this.pos += 4; return this; }
  uint32(v: number): this { this.ensure(4); this.buf.writeUInt32BE(v, this.pos); this.pos += 4; return this; }
  float64(v: number): this { this.ensure(8); this.buf.writeDoubleBE(v, this.pos); this.pos += 8; return this; }

  int64(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    this.pos += 8;
    return this;
  }

  /** Kafka UUID from its 22-char base64url text form. */
  uuid(v: string): this {
    this.ensure(16);
    const n = this.buf.write(v, this.pos, 16, 'base64url');
    if (n !== 16) throw new TypeError(`invalid uuid ${JSON.stringify(v)}`);
    this.pos += 16;
    return this;
  }

  unsignedVarint(v: number): this {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  varint(v: number): this {
    return this.unsignedVarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  varlong(v: number): this {
    let u = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(10);
    while (u >= 0x80) {
      this.buf[this.pos++] = (u % 128) | 0x80;
      u = Math.floor(u / 128);
    }
    this.buf[this.pos++] = u;
    return this;
  }

  private utf8(s: string, lenPrefix: (n: number) => void): this {
    const n = Buffer.byteLength(s);
    lenPrefix(n);
    this.ensure(n);
    this.buf.write(s, this.pos, n, 'utf8');
    this.pos += n;
    return this;
  }

  string(s: string): this { return this.utf8(s, (n) => this.int16(n)); }
  nullableString(s: string | null): this { return s === null ? this.int16(-1) : this.string(s); }
  compactString(s: string): this { return this.utf8(s, (n) => this.unsignedVarint(n + 1)); }
  compactNullableString(s: string | null): this { return s === null ? this.unsignedVarint(0) : this.compactString(s); }

  /** Copies raw bytes. */
  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Appends raw bytes by reference when large (no copy); the caller must not mutate them later. */
  rawRef(b: Buffer): this {
    if (b.length < WRITER_REF_THRESHOLD_BYTES) return this.raw(b);
    this.flushPending();
    this.chunks.push(b);
    this.chunkedLength += b.length;
    return this;
  }

  private flushPending(): void {
    if (this.pos > this.start) {
      const slice = this.buf.subarray(this.start, this.pos);
      this.chunks.push(slice);
      this.chunkedLength += slice.length;
      this.start = this.pos;
    }
  }

  bytes(b: Buffer): this { return this.int32(b.length).rawRef(b); }
  nullableBytes(b: Buffer | null): this { return b === null ? this.int32(-1) : this.bytes(b); }
  compactBytes(b: Buffer): this { return this.unsignedVarint(b.length + 1).rawRef(b); }
  compactNullableBytes(b: Buffer | null): this { return b === null ? this.unsignedVarint(0) : this.compactBytes(b); }

  /** Output as chunks (no copy of referenced buffers). The writer must not be used afterwards. */
  toChunks(): Buffer[] {
    this.flushPending();
    return this.chunks;
  }

  /** Output as one contiguous Buffer (copies if chunked). */
  toBuffer(): Buffer {
    if (this.chunks.length === 0) return this.buf.subarray(this.start, this.pos);
    const chunks = this.toChunks();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.chunkedLength);
  }
}
