// The schema library: parse, canonicalize, normalize and compatibility-check Avro, JSON Schema and
// Protobuf schemas, as Confluent Schema Registry does. Pure: no I/O; references arrive resolved.
//
// Exports for the registry server and store:
//   parseSchema, checkCompatibility, normalizeSchema, SchemaParseError, COMPATIBILITY_LEVELS, types.
// Exports for serdes:
//   avroType(parsed[, options])       the avsc Type (options e.g. { logicalTypes } build a fresh one)
//   jsonValidator(parsed)             a compiled ajv validate function for the schema's draft
//   protobufRoot(parsed)              the protobufjs Root holding the schema and its references
//   protobufMessageByIndexes(parsed, indexes)   Confluent message indexes → protobufjs Type
//   protobufMessageIndexes(parsed, fullName)    protobufjs full name → Confluent message indexes
import type avsc from 'avsc';
import type { Type as AvroType } from 'avsc';
import { parseAvro, normalizeAvro, buildAvroType, type AvroParsedSchema } from './avro.ts';
import { avroReaderWriterIncompatibilities, describeAvroIncompatibility } from './avro-compat.ts';
import { parseJsonSchema, normalizeJsonSchema, type JsonParsedSchema } from './json.ts';
import { jsonSchemaIncompatibilities } from './json-compat.ts';
import { parseProtobuf, normalizeProtobuf, type ProtobufParsedSchema } from './protobuf.ts';
import { protobufIncompatibilities } from './protobuf-compat.ts';
import {
  SchemaParseError,
  schemaBytesMax,
  type CompatibilityLevel,
  type CompatibilityResult,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaReference,
  type SchemaType,
} from './types.ts';

export * from './types.ts';
export type { AvroParsedSchema } from './avro.ts';
export type { JsonParsedSchema } from './json.ts';
export type { ProtobufParsedSchema } from './protobuf.ts';
export { jsonValidator } from './json.ts';
export { protobufRoot, protobufMessageByIndexes, protobufMessageIndexes } from './protobuf.ts';
export type { AvroIncompatibility, AvroIncompatibilityType } from './avro-compat.ts';
export { avroReaderWriterIncompatibilities } from './avro-compat.ts';

/**
 * Parses and validates a schema of `type`. `references` are the registered references (kept on the
 * result); `resolved` are their contents, resolved recursively by the caller. Throws SchemaParseError.
 */
export function parseSchema(
  type: SchemaType,
  schema: string,
  references: readonly SchemaReference[] = [],
  resolved: readonly ResolvedReference[] = [],
): ParsedSchema {
  if (typeof schema !== 'string' || schema.trim() === '') throw new SchemaParseError('Empty schema');
  if (Buffer.byteLength(schema, 'utf8') > schemaBytesMax) {
    throw new SchemaParseError(`Schema is larger than ${schemaBytesMax} bytes`);
  }
  switch (type) {
    case 'AVRO':
      return parseAvro(schema, references, resolved);
    case 'JSON':
      return parseJsonSchema(schema, references, resolved);
    case 'PROTOBUF':
      return parseProtobuf(schema, references, resolved);
    default:
      throw new SchemaParseError(`Invalid schema type ${String(type)}`);
  }
}

/** For normalize=true requests: the same schema in Confluent's normalized form (raw = canonical). */
export function normalizeSchema(parsed: ParsedSchema): ParsedSchema {
  switch (parsed.type) {
    case 'AVRO':
      return normalizeAvro(asFormat<AvroParsedSchema>(parsed, 'AVRO'));
    case 'JSON':
      return normalizeJsonSchema(asFormat<JsonParsedSchema>(parsed, 'JSON'));
    case 'PROTOBUF':
      return normalizeProtobuf(asFormat<ProtobufParsedSchema>(parsed, 'PROTOBUF'));
  }
}

function asFormat<T extends ParsedSchema>(parsed: ParsedSchema, type: SchemaType): T {
  if (parsed.type !== type || !('resolved' in parsed)) {
    throw new TypeError(`expected a ${type} schema returned by parseSchema`);
  }
  return parsed as T;
}

/** The avsc type of a parsed Avro schema. With options (e.g. logicalTypes) a fresh type is built. */
export function avroType(parsed: ParsedSchema, options?: Partial<avsc.ForSchemaOptions>): AvroType {
  const avro = asFormat<AvroParsedSchema>(parsed, 'AVRO');
  return options ? buildAvroType(avro, options) : avro.avroType;
}

/**
 * Incompatibility descriptions when `reader` must read what `writer` wrote. For Avro that is schema
 * resolution; for JSON and Protobuf it is Confluent's diff from `writer` (original) to `reader` (update).
 */
function readerWriterMessages(reader: ParsedSchema, writer: ParsedSchema, readerLabel: 'new' | 'old'): string[] {
  if (reader.type !== writer.type) return ['Incompatible because of different schema type'];
  switch (reader.type) {
    case 'AVRO': {
      const r = asFormat<AvroParsedSchema>(reader, 'AVRO');
      const w = asFormat<AvroParsedSchema>(writer, 'AVRO');
      return avroReaderWriterIncompatibilities(r.avroType, w.avroType).map((i) => describeAvroIncompatibility(i, readerLabel));
    }
    case 'JSON':
      return jsonSchemaIncompatibilities(asFormat<JsonParsedSchema>(writer, 'JSON'), asFormat<JsonParsedSchema>(reader, 'JSON'));
    case 'PROTOBUF':
      return protobufIncompatibilities(asFormat<ProtobufParsedSchema>(writer, 'PROTOBUF'), asFormat<ProtobufParsedSchema>(reader, 'PROTOBUF'));
  }
}

/**
 * `previous` oldest → newest; non-transitive levels check only the newest, transitive ones check all,
 * newest first, stopping at the first incompatible version. `messages` are Confluent-style
 * descriptions (for ?verbose=true); the server appends oldSchemaVersion/oldSchema/compatibility entries.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  previous: readonly ParsedSchema[],
): CompatibilityResult {
  if (level === 'NONE' || previous.length === 0) return { compatible: true, messages: [] };
  const transitive = level.endsWith('_TRANSITIVE');
  const base = transitive ? level.slice(0, -'_TRANSITIVE'.length) : level;
  const against = transitive ? [...previous].reverse() : [previous[previous.length - 1]!];
  for (const old of against) {
    const messages: string[] = [];
    if (base === 'BACKWARD' || base === 'FULL') messages.push(...readerWriterMessages(candidate, old, 'new'));
    if (base === 'FORWARD' || base === 'FULL') messages.push(...readerWriterMessages(old, candidate, 'old'));
    if (messages.length > 0) return { compatible: false, messages: [...new Set(messages)] };
  }
  return { compatible: true, messages: [] };
}
