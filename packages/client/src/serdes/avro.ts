// Avro with avsc: referenced schemas are compiled first into the same named-type registry, so the
// referring schema can use their names. Values are written straight after a pre-written header into
// a reused scratch buffer, then copied out once.
import avsc from 'avsc';
import type { Type } from 'avsc';
import { SerdeError } from './errors.ts';
import type { ResolvedReference } from './references.ts';
import { HEADER_BYTES, writeHeader } from './wire.ts';

export interface AvroCompiled {
  readonly type: Type;
  /** Full name of a named type (record, enum, fixed); the type name for primitives. */
  readonly recordName: string;
}

function addReferences(refs: readonly ResolvedReference[], registry: Record<string, Type>): void {
  for (const ref of refs) {
    if (ref.schemaType !== 'AVRO') throw new SerdeError('INVALID_SCHEMA', `Avro schema references ${ref.name}, a ${ref.schemaType} schema`);
    addReferences(ref.references, registry);
    avsc.Type.forSchema(JSON.parse(ref.schema) as avsc.Schema, { registry });
  }
}

export function compileAvro(schema: string | object, refs: readonly ResolvedReference[] = []): AvroCompiled {
  try {
    const registry: Record<string, Type> = {};
    addReferences(refs, registry);
    const parsed = typeof schema === 'string' ? (JSON.parse(schema) as avsc.Schema) : (schema as avsc.Schema);
    const type = avsc.Type.forSchema(parsed, { registry });
    return { type, recordName: type.name ?? type.typeName };
  } catch (err) {
    if (err instanceof SerdeError) throw err;
    throw new SerdeError('INVALID_SCHEMA', `invalid Avro schema: ${(err as Error).message}`, { cause: err });
  }
}

/** Encodes with a growing scratch buffer shared by one serializer. */
export class AvroWriter {
  private scratch = Buffer.allocUnsafe(4096);

  write(type: Type, schemaId: number, value: unknown): Buffer {
    for (;;) {
      writeHeader(this.scratch, schemaId);
      let end: number;
      try {
        end = type.encode(value, this.scratch, HEADER_BYTES);
      } catch (err) {
        throw new SerdeError('VALIDATION_FAILED', `value does not match the Avro schema: ${(err as Error).message}`, { cause: err });
      }
      if (end >= 0) return Buffer.from(this.scratch.subarray(0, end));
      // avsc returns minus the bytes missing: grow and retry once more
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - end));
    }
  }
}

/** Decodes the Avro body at `offset` (with a writer → reader resolver when given). */
export function readAvro(type: Type, buf: Buffer, offset: number, resolver?: avsc.Resolver): unknown {
  let result: { value: unknown; offset: number };
  try {
    result = type.decode(buf, offset, resolver);
  } catch (err) {
    throw new SerdeError('INVALID_PAYLOAD', `Avro body does not decode: ${(err as Error).message}`, { cause: err });
  }
  if (result.offset < 0) throw new SerdeError('INVALID_PAYLOAD', 'Avro body is truncated');
  if (result.offset !== buf.length) throw new SerdeError('INVALID_PAYLOAD', `${buf.length - result.offset} trailing bytes after the Avro body`);
  return result.value;
}
