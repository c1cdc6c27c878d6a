/** Typed storage errors with a stable `code` (STYLE rule 5). The broker maps codes to Kafka error codes. */
export type StorageErrorCode =
  | 'OFFSET_OUT_OF_RANGE'
  | 'CORRUPT_LOG'
  | 'INVALID_RECORD_BATCH'
  | 'UNEXPECTED_APPEND_OFFSET'
  | 'STALE_LEADER_EPOCH'
  | 'LOG_CLOSED'
  | 'INVALID_CONFIG'
  | 'IO_ERROR'
  | 'INVARIANT_VIOLATION';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.code = code;
  }
}

/** Invariant check: a failure is a bug, so it throws loudly rather than returning a value. */
export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new StorageError('INVARIANT_VIOLATION', message);
}
