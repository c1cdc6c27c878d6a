/** Thrown by the sans-IO codecs when bytes cannot be decoded. `code` is stable. */
export type ProtocolErrorCode =
  | 'BUFFER_UNDERFLOW'
  | 'INVALID_LENGTH'
  | 'INVALID_VARINT'
  | 'NULL_NOT_ALLOWED'
  | 'UNSUPPORTED_VERSION'
  | 'UNKNOWN_API_KEY'
  | 'LIMIT_EXCEEDED'
  | 'CORRUPT_RECORDS'
  | 'UNSUPPORTED_COMPRESSION';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProtocolError';
    this.code = code;
  }
}
