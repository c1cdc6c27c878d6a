import * as lz4 from 'lz4-napi';
import { ProtocolError } from '../wire/protocol-error.ts';
import { xxh32 } from './xxh32.ts';

/**
 * LZ4 frame format as Kafka uses it (RECORDS.md §6). We write the frame ourselves around
 * lz4-napi's raw block compressor so that it matches what Java writes: version 01, independent
 * blocks, no block or content checksum, no content size, 64 KiB blocks (BD = 0x40).
 * lz4-napi's own frame writer uses 256 KiB blocks.
 * Reading accepts every flag combination (content size, content checksum, block checksums,
 * linked blocks) and concatenated or skippable frames; the output size is bounded up front by
 * walking the block headers, before anything is decompressed.
 */
export const LZ4_FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FLG_VERSION_01 = 0x40;
const FLG_VERSION_MASK = 0xc0;
const FLG_BLOCK_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BD_64KIB = 0x40;
const BLOCK_UNCOMPRESSED_BIT = 0x80000000;
/** Java's KafkaLZ4BlockOutputStream default block size. */
export const lz4BlockBytesMax = 64 * 1024;
/** lz4-napi's compressSync prepends the uncompressed size (u32 LE) to the raw block. */
const LZ4_NAPI_SIZE_PREFIX_BYTES = 4;

export interface Lz4FrameOptions {
  /** Store the content size in the frame descriptor (python-lz4 does). */
  contentSize?: boolean;
  /** Append an xxh32 content checksum. */
  contentChecksum?: boolean;
}

function corrupt(message: string): ProtocolError {
  return new ProtocolError('CORRUPT_RECORDS', `lz4: ${message}`);
}

function writeDescriptor(out: Buffer, flg: number, contentBytes: number): number {
  out.writeUInt32LE(LZ4_FRAME_MAGIC, 0);
  out[4] = flg;
  out[5] = BD_64KIB;
  let pos = 6;
  if (flg & FLG_CONTENT_SIZE) {
    out.writeUInt32LE(contentBytes % 4294967296, 6);
    out.writeUInt32LE(Math.floor(contentBytes / 4294967296), 10);
    pos = 14;
  }
  out[pos] = (xxh32(out, 0, 4, pos) >>> 8) & 0xff;
  return pos + 1;
}

/** Compresses `data` into one LZ4 frame with independent 64 KiB blocks. */
export function lz4FrameCompress(data: Buffer, opts: Lz4FrameOptions = {}): Buffer {
  let flg = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENT;
  if (opts.contentSize) flg |= FLG_CONTENT_SIZE;
  if (opts.contentChecksum) flg |= FLG_CONTENT_CHECKSUM;
  const blockCount = Math.ceil(data.length / lz4BlockBytesMax);
  // Worst case: every block stored uncompressed (4-byte size + data), header <= 15, end mark, checksum.
  const out = Buffer.allocUnsafe(15 + blockCount * 4 + data.length + 8);
  let pos = writeDescriptor(out, flg, data.length);
  for (let at = 0; at < data.length; at += lz4BlockBytesMax) {
    const block = data.subarray(at, Math.min(at + lz4BlockBytesMax, data.length));
    const packed = lz4.compressSync(block);
    const packedBytes = packed.length - LZ4_NAPI_SIZE_PREFIX_BYTES;
    if (packedBytes < block.length) {
      out.writeUInt32LE(packedBytes, pos);
      packed.copy(out, pos + 4, LZ4_NAPI_SIZE_PREFIX_BYTES);
      pos += 4 + packedBytes;
    } else {
      out.writeUInt32LE((block.length | BLOCK_UNCOMPRESSED_BIT) >>> 0, pos);
      block.copy(out, pos + 4);
      pos += 4 + block.length;
    }
  }
  out.writeUInt32LE(0, pos);
  pos += 4;
  if (opts.contentChecksum) {
    out.writeUInt32LE(xxh32(data), pos);
    pos += 4;
  }
  return out.subarray(0, pos);
}

const BLOCK_MAX_BY_CODE: Record<number, number> = { 4: 65536, 5: 262144, 6: 1048576, 7: 4194304 };

interface FrameLayout {
  /** Bytes the frame occupies in the input. */
  frameBytes: number;
  /** Upper bound on the decompressed size. */
  outputBytesBound: number;
  blockBytesMax: number;
}

/** Walks one frame's descriptor and block headers without decompressing. */
function walkFrame(buf: Buffer, start: number): FrameLayout {
  if (buf.length - start < 7) throw corrupt('truncated frame descriptor');
  const flg = buf[start + 4]!;
  const bd = buf[start + 5]!;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01) throw corrupt(`unsupported frame version in FLG 0x${flg.toString(16)}`);
  if (flg & FLG_DICT_ID) throw corrupt('dictionary ids are not supported');
  const blockMax = BLOCK_MAX_BY_CODE[(bd >> 4) & 0x07];
  if (blockMax === undefined || (bd & 0x8f) !== 0) throw corrupt(`invalid BD byte 0x${bd.toString(16)}`);
  const hcAt = start + 6 + (flg & FLG_CONTENT_SIZE ? 8 : 0);
  if (hcAt >= buf.length) throw corrupt('truncated frame descriptor');
  if (((xxh32(buf, 0, start + 4, hcAt) >>> 8) & 0xff) !== buf[hcAt]) throw corrupt('header checksum mismatch');
  const blockTrailer = flg & FLG_BLOCK_CHECKSUM ? 4 : 0;
  let pos = hcAt + 1;
  let bound = 0;
  for (;;) {
    if (pos + 4 > buf.length) throw corrupt('truncated block header');
    const word = buf.readUInt32LE(pos);
    pos += 4;
    if (word === 0) break;
    const size = word & 0x7fffffff;
    if (size > blockMax) throw corrupt(`block of ${size} bytes exceeds the frame's maximum ${blockMax}`);
    pos += size + blockTrailer;
    if (pos > buf.length) throw corrupt('truncated block');
    bound += word & BLOCK_UNCOMPRESSED_BIT ? size : blockMax;
  }
  if (flg & FLG_CONTENT_CHECKSUM) pos += 4;
  if (pos > buf.length) throw corrupt('truncated content checksum');
  return { frameBytes: pos - start, outputBytesBound: bound, blockBytesMax: blockMax };
}

/** Decodes one or more LZ4 frames; throws LIMIT_EXCEEDED if the output could exceed the limit. */
export function lz4FrameDecompress(buf: Buffer, decompressedBytesMax: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < 8) throw corrupt('trailing bytes after frame');
    const magic = buf.readUInt32LE(pos);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      pos += 8 + buf.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC) throw corrupt(`bad frame magic 0x${magic.toString(16)}`);
    const layout = walkFrame(buf, pos);
    // The bound counts every compressed block as full; one block of slack keeps a short last block legal.
    if (total + layout.outputBytesBound > decompressedBytesMax + layout.blockBytesMax) {
      throw new ProtocolError('LIMIT_EXCEEDED', `lz4 output may exceed ${decompressedBytesMax} bytes`);
    }
    const part = decodeFrame(buf.subarray(pos, pos + layout.frameBytes));
    total += part.length;
    if (total > decompressedBytesMax) {
      throw new ProtocolError('LIMIT_EXCEEDED', `lz4 output exceeds ${decompressedBytesMax} bytes`);
    }
    parts.push(part);
    pos += layout.frameBytes;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

function decodeFrame(frame: Buffer): Buffer {
  try {
    return lz4.decompressFrameSync(frame);
  } catch (cause) {
    throw new ProtocolError('CORRUPT_RECORDS', `lz4: ${(cause as Error).message}`, { cause });
  }
}
