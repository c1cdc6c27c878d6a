// Small runtime helpers shared by the generated codecs in generated/. Kept out of the generated
// files so each helper exists once and can be tested on its own.
import type { Reader } from './wire/reader.ts';
import type { Writer } from './wire/writer.ts';
import { ProtocolError } from './wire/protocol-error.ts';

/** Kafka's all-zero UUID in its 22-char base64url text form (Uuid.ZERO_UUID). */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Shared zero-length default for bytes fields; it has no bytes, so sharing it is harmless. */
export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

/** Appends one tagged field whose payload was encoded into `payload` (a scratch writer). */
export function writeTaggedField(w: Writer, tag: number, payload: Writer): void {
  const size = payload.length;
  w.unsignedVarint(tag);
  w.unsignedVarint(size);
  for (const chunk of payload.toChunks()) w.rawRef(chunk);
}

/** Validates a tagged field's size against the buffer and returns where its payload ends. */
export function taggedFieldEnd(r: Reader, size: number): number {
  const end = r.offset + size;
  if (end > r.end) throw new ProtocolError('BUFFER_UNDERFLOW', `tagged field of ${size} bytes at ${r.offset} overruns the buffer`);
  return end;
}

/**
 * Moves past a tagged field's payload. A known field that read past its declared size is
 * corrupt; one that read less may carry newer trailing data, which is skipped.
 */
export function finishTaggedField(r: Reader, end: number): void {
  if (r.offset > end) throw new ProtocolError('INVALID_LENGTH', `tagged field overran its size (at ${r.offset}, end ${end})`);
  r.offset = end;
}

/** Skips a whole tagged-field section whose tags are all unknown to this struct. */
export function skipTaggedFields(r: Reader): void {
  const count = r.unsignedVarint();
  for (let i = 0; i < count; i++) {
    r.unsignedVarint();
    r.skip(r.unsignedVarint());
  }
}

export function nullNotAllowed(field: string): never {
  throw new ProtocolError('NULL_NOT_ALLOWED', `null ${field} in a version where it is not nullable`);
}

export function checkVersion(name: string, version: number, min: number, max: number): void {
  if (!(version >= min && version <= max)) {
    throw new ProtocolError('UNSUPPORTED_VERSION', `${name} version ${version} outside ${min}-${max}`);
  }
}
