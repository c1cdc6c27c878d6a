// Typed errors of the Schema Registry client and the serdes. Both carry a stable `code`; a
// registry answer also carries Confluent's `error_code` and message as the server sent them.

export type SchemaRegistryErrorCode =
  /** The registry answered with an error body (`errorCode` holds Confluent's error_code). */
  | 'REGISTRY_ERROR'
  /** No answer within `timeoutMs`. */
  | 'REGISTRY_TIMEOUT'
  /** No registry URL could be reached. */
  | 'REGISTRY_UNREACHABLE'
  /** The answer was not the JSON we expected (errorCode 50005, as Confluent's clients use it). */
  | 'REGISTRY_BAD_RESPONSE'
  /** A response or request over `responseBytesMax` / a reference graph over `referenceDepthMax`. */
  | 'REGISTRY_LIMIT';

/** Confluent's client-side code for "could not parse the response as JSON". */
export const BAD_RESPONSE_ERROR_CODE = 50005;

export class SchemaRegistryError extends Error {
  readonly code: SchemaRegistryErrorCode;
  /** Confluent's `error_code` (e.g. 40401, 40403, 42201, 409); 0 when there was no answer. */
  readonly errorCode: number;
  /** HTTP status; 0 when there was no answer. */
  readonly status: number;

  constructor(code: SchemaRegistryErrorCode, message: string, details: { errorCode?: number; status?: number; cause?: unknown } = {}) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = 'SchemaRegistryError';
    this.code = code;
    this.errorCode = details.errorCode ?? 0;
    this.status = details.status ?? 0;
  }
}

export type SerdeErrorCode =
  /** Fewer than 5 bytes, or a first byte other than 0. */
  | 'UNKNOWN_MAGIC_BYTE'
  /** Bytes that do not decode with the writer schema (truncated, trailing data, bad indexes). */
  | 'INVALID_PAYLOAD'
  /** A value the schema rejects (serialize, or deserialize with validation on). */
  | 'VALIDATION_FAILED'
  /** The writer schema is of another format than this deserializer's. */
  | 'SCHEMA_TYPE_MISMATCH'
  /** A schema that the format library cannot compile, or a missing record name / message. */
  | 'INVALID_SCHEMA'
  /** Options that cannot work together (e.g. a record strategy without a schema or recordName). */
  | 'INVALID_CONFIG';

export class SerdeError extends Error {
  readonly code: SerdeErrorCode;

  constructor(code: SerdeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SerdeError';
    this.code = code;
  }
}
