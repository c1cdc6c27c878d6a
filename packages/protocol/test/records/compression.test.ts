import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';
import * as lz4 from 'lz4-napi';
import * as snappy from 'snappy';
import { createRequire } from 'node:module';
import { CompressionType, compress, decompress } from '../../src/records/compression.ts';
import { lz4FrameCompress } from '../../src/records/lz4-frame.ts';
import { isXerial, snappyXerialCompress } from '../../src/records/snappy-framing.ts';
import { xxh32 } from '../../src/records/xxh32.ts';
import { zstdCompressStreaming } from '../../src/records/zstd-codec.ts';
import { ProtocolError } from '../../src/wire/protocol-error.ts';

const zstdBinding = createRequire(import.meta.url)('zstd-napi/binding.js') as typeof import('zstd-napi/binding.js');
const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

function sample(bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + (i >> 7)) % 251;
  return out;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `expected ProtocolError, got ${String(err)}`);
    return err.code;
  }
  assert.fail('expected a throw');
}

describe('xxh32', () => {
  it('matches the reference vectors', () => {
    assert.equal(xxh32(Buffer.alloc(0)), 0x02cc5d05);
    assert.equal(xxh32(Buffer.from('abc')), 0x32d153ff);
    assert.equal(xxh32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
  });
});

describe('compress/decompress round trips', () => {
  for (const type of CODECS) {
    for (const bytes of [0, 1, 1000, 65536, 65537, 300_000]) {
      it(`codec ${type}, ${bytes} bytes`, () => {
        const data = sample(bytes);
        assert.deepEqual(decompress(type, compress(type, data)), data);
      });
    }
  }

  it('rejects codecs 5-7 with UNSUPPORTED_COMPRESSION', () => {
    for (const t of [5, 6, 7]) {
      assert.equal(code(() => compress(t, Buffer.alloc(1))), 'UNSUPPORTED_COMPRESSION');
      assert.equal(code(() => decompress(t, Buffer.alloc(1))), 'UNSUPPORTED_COMPRESSION');
    }
  });
});

describe('gzip', () => {
  it('reads concatenated members', () => {
    const data = Buffer.concat([zlib.gzipSync(Buffer.from('hello ')), zlib.gzipSync(Buffer.from('world'))]);
    assert.equal(decompress(CompressionType.Gzip, data).toString(), 'hello world');
  });

  it('reports garbage as CORRUPT_RECORDS', () => {
    assert.equal(code(() => decompress(CompressionType.Gzip, Buffer.from('not gzip at all'))), 'CORRUPT_RECORDS');
  });
});

describe('snappy framings', () => {
  it('writes raw blocks by default', () => {
    const data = sample(5000);
    const packed = compress(CompressionType.Snappy, data);
    assert.equal(isXerial(packed), false);
    assert.deepEqual(snappy.uncompressSync(packed), data);
  });

  it('reads xerial framing with several 32 KiB chunks', () => {
    const data = sample(100_000);
    const framed = snappyXerialCompress(data);
    assert.equal(isXerial(framed), true);
    assert.equal(framed.readInt32BE(8), 1);
    assert.equal(framed.readInt32BE(12), 1);
    assert.deepEqual(decompress(CompressionType.Snappy, framed), data);
  });

  it('rejects a truncated xerial chunk', () => {
    const framed = snappyXerialCompress(sample(100_000));
    assert.equal(code(() => decompress(CompressionType.Snappy, framed.subarray(0, framed.length - 10))), 'CORRUPT_RECORDS');
  });
});

describe('lz4 frames', () => {
  it('writes version 01, independent blocks, 64 KiB max block, valid header checksum', () => {
    const frame = compress(CompressionType.Lz4, sample(200_000));
    assert.equal(frame.readUInt32LE(0), 0x184d2204);
    assert.equal(frame[4], 0x60);
    assert.equal(frame[5], 0x40);
    assert.equal(frame[6], (xxh32(frame.subarray(4, 6)) >>> 8) & 0xff);
    assert.deepEqual(lz4.decompressFrameSync(frame), sample(200_000));
  });

  it('reads frames with content size and content checksum', () => {
    const data = sample(150_000);
    const frame = lz4FrameCompress(data, { contentSize: true, contentChecksum: true });
    assert.equal(frame[4]! & 0x0c, 0x0c);
    assert.deepEqual(decompress(CompressionType.Lz4, frame), data);
  });

  it("reads lz4-napi's own frames (256 KiB blocks, content checksum)", () => {
    const data = sample(600_000);
    assert.deepEqual(decompress(CompressionType.Lz4, lz4.compressFrameSync(data, { contentChecksum: true })), data);
  });

  it('rejects a bad content checksum and a bad header checksum', () => {
    const frame = Buffer.from(lz4FrameCompress(sample(1000), { contentChecksum: true }));
    frame[frame.length - 1] ^= 0xff;
    assert.equal(code(() => decompress(CompressionType.Lz4, frame)), 'CORRUPT_RECORDS');
    const frame2 = Buffer.from(lz4FrameCompress(sample(1000)));
    frame2[6] ^= 0xff;
    assert.equal(code(() => decompress(CompressionType.Lz4, frame2)), 'CORRUPT_RECORDS');
  });

  it('stores incompressible blocks uncompressed', () => {
    const random = Buffer.from(Array.from({ length: 1000 }, () => Math.floor(Math.random() * 256)));
    const frame = compress(CompressionType.Lz4, random);
    assert.ok((frame.readUInt32LE(7) & 0x80000000) !== 0);
    assert.deepEqual(decompress(CompressionType.Lz4, frame), random);
  });
});

describe('zstd', () => {
  it('decodes a frame without content size (streaming encoder, as Java writes)', () => {
    const data = sample(300_000);
    const frame = zstdCompressStreaming(data);
    assert.equal(zstdBinding.getFrameContentSize(frame), null);
    assert.deepEqual(decompress(CompressionType.Zstd, frame), data);
  });

  it('decodes concatenated frames', () => {
    const frames = Buffer.concat([compress(CompressionType.Zstd, Buffer.from('ab')), zstdCompressStreaming(Buffer.from('cd'))]);
    assert.equal(decompress(CompressionType.Zstd, frames).toString(), 'abcd');
  });

  it('rejects a truncated frame', () => {
    const frame = zstdCompressStreaming(sample(300_000));
    assert.equal(code(() => decompress(CompressionType.Zstd, frame.subarray(0, frame.length - 20))), 'CORRUPT_RECORDS');
    assert.deepEqual(decompress(CompressionType.Zstd, frame), sample(300_000), 'decoder recovers after an error');
  });
});

describe('decompressed size limit (zip bombs)', () => {
  const bomb = Buffer.alloc(4 * 1024 * 1024);
  const limitBytes = 1024 * 1024;
  for (const type of CODECS) {
    it(`codec ${type}: LIMIT_EXCEEDED past the limit, fine at the limit`, () => {
      assert.equal(code(() => decompress(type, compress(type, bomb), limitBytes)), 'LIMIT_EXCEEDED');
      assert.equal(decompress(type, compress(type, bomb.subarray(0, limitBytes)), limitBytes).length, limitBytes);
    });
  }

  it('xerial snappy and streaming zstd are limited too', () => {
    assert.equal(code(() => decompress(CompressionType.Snappy, snappyXerialCompress(bomb), limitBytes)), 'LIMIT_EXCEEDED');
    assert.equal(code(() => decompress(CompressionType.Zstd, zstdCompressStreaming(bomb), limitBytes)), 'LIMIT_EXCEEDED');
  });
});
