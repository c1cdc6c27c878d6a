import { createRequire } from 'node:module';
import { ProtocolError } from '../wire/protocol-error.ts';

/**
 * Zstandard through zstd-napi's low-level binding. Decoding streams into a buffer that grows up
 * to the limit, so it never trusts (or needs) the frame's content-size field: Java's streaming
 * encoder omits it, and a hostile frame could claim any size.
 */
type ZstdBinding = typeof import('zstd-napi/binding.js');
// The binding is a native CommonJS module whose exports ESM cannot name statically.
const zstd = createRequire(import.meta.url)('zstd-napi/binding.js') as ZstdBinding;

const OUTPUT_BYTES_INITIAL_MIN = 64 * 1024;
/** Compressed data expands roughly this much for typical record data; only a first guess. */
const EXPANSION_GUESS = 4;
const ZSTD_LEVEL_DEFAULT = 3;

let dctx = new zstd.DCtx();

function corrupt(message: string, cause?: unknown): ProtocolError {
  return new ProtocolError('CORRUPT_RECORDS', `zstd: ${message}`, cause === undefined ? undefined : { cause });
}

export function zstdCompress(data: Buffer, level = ZSTD_LEVEL_DEFAULT): Buffer {
  const out = Buffer.allocUnsafe(zstd.compressBound(data.length));
  const written = zstd.compress(out, data, level);
  return out.subarray(0, written);
}

/**
 * Streaming compression that leaves the content size out of the frame header, like Java's
 * ZstdOutputStream. Feeding the input with `continue` first keeps zstd from pledging its size.
 */
export function zstdCompressStreaming(data: Buffer): Buffer {
  const cctx = new zstd.CCtx();
  const chunks: Buffer[] = [];
  let src = data;
  let remaining = 1;
  while (src.length > 0 || remaining !== 0) {
    const dst = Buffer.allocUnsafe(zstd.cStreamOutSize());
    const op = src.length > 0 ? zstd.EndDirective.continue : zstd.EndDirective.end;
    const [ret, produced, consumed] = cctx.compressStream2(dst, src, op);
    chunks.push(dst.subarray(0, produced));
    src = src.subarray(consumed);
    if (op === zstd.EndDirective.end) remaining = ret;
  }
  return Buffer.concat(chunks);
}

function grow(out: Buffer, used: number, capBytes: number): Buffer {
  const next = Buffer.allocUnsafe(Math.min(out.length * 2, capBytes));
  out.copy(next, 0, 0, used);
  return next;
}

/** Decodes one or more concatenated zstd frames; LIMIT_EXCEEDED past `decompressedBytesMax`. */
export function zstdDecompress(data: Buffer, decompressedBytesMax: number): Buffer {
  // One byte past the limit tells "exactly at the limit" from "over it".
  const capBytes = decompressedBytesMax + 1;
  let out: Buffer = Buffer.allocUnsafe(Math.min(capBytes, Math.max(OUTPUT_BYTES_INITIAL_MIN, data.length * EXPANSION_GUESS)));
  let used = 0;
  let src = data;
  try {
    for (;;) {
      if (used === out.length) {
        if (out.length >= capBytes) throw new ProtocolError('LIMIT_EXCEEDED', `zstd output exceeds ${decompressedBytesMax} bytes`);
        out = grow(out, used, capBytes);
      }
      const [ret, produced, consumed] = dctx.decompressStream(out.subarray(used), src);
      used += produced;
      src = src.subarray(consumed);
      if (src.length === 0 && ret === 0) break;
      if (used < out.length && produced === 0 && consumed === 0) throw corrupt('truncated frame');
    }
  } catch (err) {
    dctx = new zstd.DCtx(); // drop any half-decoded frame state
    if (err instanceof ProtocolError) throw err;
    throw corrupt((err as Error).message, err);
  }
  if (used > decompressedBytesMax) throw new ProtocolError('LIMIT_EXCEEDED', `zstd output exceeds ${decompressedBytesMax} bytes`);
  return out.subarray(0, used);
}
