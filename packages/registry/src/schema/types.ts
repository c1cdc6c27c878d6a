// Shared types of the schema library: what a parsed schema looks like to the registry server,
// the store and the serdes, whatever its format.

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF'];

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** A referenced schema, already resolved by the caller (recursively: its own references are in `references`). */
export interface ResolvedReference {
  name: string;
  schemaType: SchemaType;
  schema: string;
  references: ResolvedReference[];
}

export interface ParsedSchema {
  readonly type: SchemaType;
  /** As registered. */
  readonly raw: string;
  /**
   * Canonical text: equal for schemas Confluent treats as the same (Avro: Java-Avro's
   * `Schema.toString()`; JSON: compact JSON, key order kept; Protobuf: re-printed `.proto`).
   * Used to give the same schema the same id.
   */
  readonly canonical: string;
  readonly references: readonly SchemaReference[];
}

/** Invalid schema or schema type: Confluent's 42201. `message` is the parser's message. */
export class SchemaParseError extends Error {
  readonly code = 42201;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaParseError';
  }
}

export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

export const COMPATIBILITY_LEVELS: readonly CompatibilityLevel[] = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];

export interface CompatibilityResult {
  compatible: boolean;
  messages: string[];
}

/** Limits on what a schema may be; checked before parsing, errors are SchemaParseError. */
export const schemaBytesMax = 1024 * 1024;
/** Maximum nesting depth of JSON/Avro structures and Protobuf messages we walk. */
export const schemaDepthMax = 64;
/** Maximum depth of the reference graph (a reference's references ...). */
export const referenceDepthMax = 32;

/** Parses JSON text, turning syntax errors into SchemaParseError, and bounds nesting depth. */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SchemaParseError(`Invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (jsonDepth(value, 0) > schemaDepthMax) {
    throw new SchemaParseError(`Schema nesting exceeds the maximum depth of ${schemaDepthMax}`);
  }
  return value;
}

function jsonDepth(value: unknown, depth: number): number {
  if (depth > schemaDepthMax) return depth;
  if (value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    max = Math.max(max, jsonDepth(v, depth + 1));
    if (max > schemaDepthMax) break;
  }
  return max;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
