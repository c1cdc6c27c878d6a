import * as snappy from 'snappy';
import { ProtocolError } from '../wire/protocol-error.ts';

/**
 * Snappy as Kafka clients write it (RECORDS.md §6): either one raw Snappy block (librdkafka,
 * kafkajs-snappy) or the xerial/snappy-java stream (Java, kafka-python): a 16-byte header then
 * int32-BE-length-prefixed raw blocks. Readers detect the xerial magic and otherwise treat the
 * bytes as raw. The uncompressed size of a raw block is its varint preamble, so the limit is
 * checked before anything is allocated.
 */
export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
const XERIAL_MIN_COMPATIBLE_VERSION = 1;
/** snappy-java's default block size (uncompressed bytes per chunk). */
export const xerialChunkBytes = 32 * 1024;

function corrupt(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError('CORRUPT_RECORDS', `snappy: ${message}`, cause === undefined ? undefined : { cause });
}

export function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

/** Uncompressed length stored in a raw block's preamble (unsigned varint, at most 32 bits). */
export function snappyRawLength(block: Buffer): number {
  let value = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const b = block[i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return value;
  }
  throw corrupt('bad length preamble');
}

function uncompressRaw(block: Buffer): Buffer {
  try {
    return snappy.uncompressSync(block, { asBuffer: true }) as Buffer;
  } catch (cause) {
    throw corrupt((cause as Error).message, cause);
  }
}

function limitExceeded(limit: number): ProtocolError {
  return new ProtocolError('LIMIT_EXCEEDED', `snappy output exceeds ${limit} bytes`);
}

export function snappyCompressRaw(data: Buffer): Buffer {
  return snappy.compressSync(data);
}

/** xerial framing with 32 KiB chunks, as snappy-java and kafka-python write it. */
export function snappyXerialCompress(data: Buffer, chunkBytes = xerialChunkBytes): Buffer {
  const blocks: Buffer[] = [];
  let total = XERIAL_HEADER_BYTES;
  for (let at = 0; at < data.length; at += chunkBytes) {
    const block = snappy.compressSync(data.subarray(at, Math.min(at + chunkBytes, data.length)));
    blocks.push(block);
    total += 4 + block.length;
  }
  const out = Buffer.allocUnsafe(total);
  XERIAL_MAGIC.copy(out, 0);
  out.writeInt32BE(XERIAL_VERSION, 8);
  out.writeInt32BE(XERIAL_MIN_COMPATIBLE_VERSION, 12);
  let pos = XERIAL_HEADER_BYTES;
  for (const block of blocks) {
    out.writeInt32BE(block.length, pos);
    block.copy(out, pos + 4);
    pos += 4 + block.length;
  }
  return out;
}

function xerialDecompress(data: Buffer, decompressedBytesMax: number): Buffer {
  const blocks: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_BYTES;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw corrupt('truncated xerial chunk length');
    const len = data.readInt32BE(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) throw corrupt(`xerial chunk of ${len} bytes overruns the data`);
    const block = data.subarray(pos, pos + len);
    pos += len;
    total += snappyRawLength(block);
    if (total > decompressedBytesMax) throw limitExceeded(decompressedBytesMax);
    blocks.push(block);
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const block of blocks) {
    const plain = uncompressRaw(block);
    plain.copy(out, at);
    at += plain.length;
  }
  if (at !== total) throw corrupt('xerial chunk lengths disagree with their contents');
  return out;
}

/** Decodes raw or xerial-framed snappy. */
export function snappyDecompress(data: Buffer, decompressedBytesMax: number): Buffer {
  if (isXerial(data)) return xerialDecompress(data, decompressedBytesMax);
  if (snappyRawLength(data) > decompressedBytesMax) throw limitExceeded(decompressedBytesMax);
  return uncompressRaw(data);
}
