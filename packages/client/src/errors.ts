/**
 * Errors raised by the client itself (as opposed to Kafka error codes in responses, which surface
 * as KafkaError from @tributary/protocol). Every one carries a stable `code`.
 */
export type ClientErrorCode =
  | 'CONNECT_FAILED'
  | 'CONNECTION_CLOSED'
  | 'REQUEST_TIMEOUT'
  | 'UNSUPPORTED_VERSION'
  | 'FRAME_TOO_LARGE'
  | 'PROTOCOL_VIOLATION'
  | 'NO_BROKERS'
  | 'UNKNOWN_TOPIC'
  | 'RETRIES_EXHAUSTED'
  | 'CLIENT_CLOSED'
  | 'NOT_CONNECTED'
  | 'INVALID_ARGUMENT'
  | 'BUFFER_FULL';

export class ClientError extends Error {
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientError';
    this.code = code;
  }
}
