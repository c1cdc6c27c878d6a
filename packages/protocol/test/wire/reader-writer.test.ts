import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from '../../src/wire/reader.ts';
import { Writer, WRITER_REF_THRESHOLD_BYTES } from '../../src/wire/writer.ts';
import { ProtocolError } from '../../src/wire/protocol-error.ts';

function bytesOf(fill: (w: Writer) => void): Buffer {
  const w = new Writer(4);
  fill(w);
  return w.toBuffer();
}

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ProtocolError && err.code === code);
}

test('unsigned varint uses 7 bits per byte at each length boundary', () => {
  const cases: [number, string][] = [
    [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [16383, 'ff7f'], [16384, '808001'],
    [2 ** 21 - 1, 'ffff7f'], [2 ** 21, '80808001'], [2 ** 28, '8080808001'], [2 ** 32 - 1, 'ffffffff0f'],
  ];
  for (const [v, h] of cases) {
    const b = bytesOf((w) => w.unsignedVarint(v));
    assert.equal(b.toString('hex'), h, String(v));
    assert.equal(new Reader(b).unsignedVarint(), v);
  }
});

test('varint zig-zags negatives, including int32 extremes', () => {
  const cases: [number, string][] = [
    [0, '00'], [-1, '01'], [1, '02'], [-64, '7f'], [64, '8001'], [63, '7e'],
    [2147483647, 'feffffff0f'], [-2147483648, 'ffffffff0f'],
  ];
  for (const [v, h] of cases) {
    const b = bytesOf((w) => w.varint(v));
    assert.equal(b.toString('hex'), h, String(v));
    assert.equal(new Reader(b).varint(), v);
  }
});

test('varlong round-trips up to 2^52 in magnitude', () => {
  for (const v of [0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, -(2 ** 40) - 3, 2 ** 52, -(2 ** 52)]) {
    const b = bytesOf((w) => w.varlong(v));
    const r = new Reader(b);
    assert.equal(r.varlong(), v, String(v));
    assert.equal(r.remaining, 0);
  }
  assert.equal(bytesOf((w) => w.varlong(-1)).toString('hex'), '01');
  throwsCode(() => new Reader(Buffer.alloc(11, 0xff)).varlong(), 'INVALID_VARINT');
  throwsCode(() => new Reader(Buffer.alloc(6, 0xff)).unsignedVarint(), 'INVALID_VARINT');
});

test('int64 handles negatives and the safe-integer edges', () => {
  for (const v of [0, -1, 1, -(2 ** 32), 2 ** 32, -(2 ** 53) + 1, 2 ** 53 - 1, -1234567890123]) {
    const b = bytesOf((w) => w.int64(v));
    assert.equal(b.length, 8);
    assert.equal(new Reader(b).int64(), v, String(v));
  }
  assert.equal(bytesOf((w) => w.int64(-1)).toString('hex'), 'ffffffffffffffff');
  assert.equal(bytesOf((w) => w.int64(-2)).toString('hex'), 'fffffffffffffffe');
});

test('strings, bytes and uuids in classic and compact forms', () => {
  const b = bytesOf((w) => {
    w.string('h\u00e9').nullableString(null).compactString('').compactNullableString(null);
    w.bytes(Buffer.from([1])).nullableBytes(null).compactBytes(Buffer.alloc(0)).compactNullableBytes(null);
    w.uuid('AAAAAAAAAAAAAAAAAAAAAA');
  });
  assert.equal(b.toString('hex'), '000368c3a9' + 'ffff' + '01' + '00' + '0000000101' + 'ffffffff' + '01' + '00' + '00'.repeat(16));
  const r = new Reader(b);
  assert.equal(r.string(), 'h\u00e9');
  assert.equal(r.nullableString(), null);
  assert.equal(r.compactString(), '');
  assert.equal(r.compactNullableString(), null);
  assert.deepEqual(r.bytes(), Buffer.from([1]));
  assert.equal(r.nullableBytes(), null);
  assert.deepEqual(r.compactBytes(), Buffer.alloc(0));
  assert.equal(r.compactNullableBytes(), null);
  assert.equal(r.uuid(), 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(r.remaining, 0);
});

test('null in a non-nullable string or bytes is rejected', () => {
  throwsCode(() => new Reader(Buffer.from('ffff', 'hex')).string(), 'NULL_NOT_ALLOWED');
  throwsCode(() => new Reader(Buffer.from('00', 'hex')).compactString(), 'NULL_NOT_ALLOWED');
  throwsCode(() => new Reader(Buffer.from('ffffffff', 'hex')).bytes(), 'NULL_NOT_ALLOWED');
});

test('reads past the end throw BUFFER_UNDERFLOW', () => {
  throwsCode(() => new Reader(Buffer.alloc(3)).int32(), 'BUFFER_UNDERFLOW');
  throwsCode(() => new Reader(Buffer.alloc(7)).int64(), 'BUFFER_UNDERFLOW');
  throwsCode(() => new Reader(Buffer.from('0005616263', 'hex')).string(), 'BUFFER_UNDERFLOW');
  throwsCode(() => new Reader(Buffer.from('00000010aa', 'hex')).bytes(), 'BUFFER_UNDERFLOW');
  throwsCode(() => new Reader(Buffer.from('80', 'hex')).unsignedVarint(), 'BUFFER_UNDERFLOW');
  // A Reader bounded by `end` must not read beyond it even if the buffer continues.
  throwsCode(() => new Reader(Buffer.alloc(8), 0, 2).int32(), 'BUFFER_UNDERFLOW');
});

test('hostile array lengths are rejected before allocation', () => {
  throwsCode(() => new Reader(Buffer.from('7fffffff00', 'hex')).arrayLength(), 'INVALID_LENGTH');
  throwsCode(() => new Reader(Buffer.from('ffffffff0f00', 'hex')).compactArrayLength(), 'INVALID_LENGTH');
  assert.equal(new Reader(Buffer.from('ffffffff', 'hex')).arrayLength(), -1);
  assert.equal(new Reader(Buffer.from('00', 'hex')).compactArrayLength(), -1);
});

test('large byte fields are appended by reference and chunks preserve order', () => {
  const big = Buffer.alloc(WRITER_REF_THRESHOLD_BYTES, 7);
  const w = new Writer(8);
  w.int32(1).bytes(big).int16(2);
  assert.equal(w.length, 4 + 4 + big.length + 2);
  const chunks = w.toChunks();
  assert.equal(chunks.length, 3);
  assert.equal(chunks[1], big, 'the big buffer is not copied');
  const flat = Buffer.concat(chunks);
  const r = new Reader(flat);
  assert.equal(r.int32(), 1);
  assert.deepEqual(r.bytes(), big);
  assert.equal(r.int16(), 2);
});

test('small byte fields are copied, so the writer yields one chunk', () => {
  const w = new Writer(2);
  w.bytes(Buffer.alloc(100, 1)).int8(-1);
  assert.equal(w.toChunks().length, 1);
});
