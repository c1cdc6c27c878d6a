import * as zlib from 'node:zlib';
import { ProtocolError } from '../wire/protocol-error.ts';
import { lz4FrameCompress, lz4FrameDecompress } from './lz4-frame.ts';
import { snappyCompressRaw, snappyDecompress } from './snappy-framing.ts';
import { zstdCompress, zstdDecompress } from './zstd-codec.ts';

/** Compression codec ids, attribute bits 0-2 of a v2 batch (RECORDS.md §2). */
export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

export const COMPRESSION_NAMES: readonly string[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Default cap on one batch's decompressed records section: stops zip bombs. */
export const decompressedBytesMax = 64 * 1024 * 1024;

export function isKnownCompression(type: number): type is CompressionType {
  return Number.isInteger(type) && type >= 0 && type <= 4;
}

function unsupported(type: number): ProtocolError {
  return new ProtocolError('UNSUPPORTED_COMPRESSION', `unknown compression codec ${type}`);
}

/**
 * Compresses a records section. Framings match what clients write: gzip stream, raw snappy
 * block (use snappyXerialCompress for Java's framing), LZ4 frame with independent 64 KiB blocks,
 * zstd frame.
 */
export function compress(type: number, data: Buffer): Buffer {
  switch (type) {
    case CompressionType.None: return data;
    case CompressionType.Gzip: return zlib.gzipSync(data);
    case CompressionType.Snappy: return snappyCompressRaw(data);
    case CompressionType.Lz4: return lz4FrameCompress(data);
    case CompressionType.Zstd: return zstdCompress(data);
    default: throw unsupported(type);
  }
}

function gunzip(data: Buffer, limitBytes: number): Buffer {
  try {
    // Node's gunzip reads concatenated members; maxOutputLength stops a bomb mid-stream.
    return zlib.gunzipSync(data, { maxOutputLength: limitBytes });
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ProtocolError('LIMIT_EXCEEDED', `gzip output exceeds ${limitBytes} bytes`, { cause });
    }
    throw new ProtocolError('CORRUPT_RECORDS', `gzip: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Decompresses a records section. Throws ProtocolError: CORRUPT_RECORDS for bad data,
 * UNSUPPORTED_COMPRESSION for codecs 5-7, LIMIT_EXCEEDED past `limitBytes`.
 */
export function decompress(type: number, data: Buffer, limitBytes: number = decompressedBytesMax): Buffer {
  switch (type) {
    case CompressionType.None:
      if (data.length > limitBytes) throw new ProtocolError('LIMIT_EXCEEDED', `records exceed ${limitBytes} bytes`);
      return data;
    case CompressionType.Gzip: return gunzip(data, limitBytes);
    case CompressionType.Snappy: return snappyDecompress(data, limitBytes);
    case CompressionType.Lz4: return lz4FrameDecompress(data, limitBytes);
    case CompressionType.Zstd: return zstdDecompress(data, limitBytes);
    default: throw unsupported(type);
  }
}
