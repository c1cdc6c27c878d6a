import { KafkaError, isRetriable as isRetriableCode } from '@tributary/protocol/errors.ts';
import { ClientError } from './errors.ts';

export { KafkaError, ErrorCode, isRetriable } from '@tributary/protocol/errors.ts';


/** The one place the client turns a response error code into a thrown KafkaError. */
export function kafkaError(code: number, context: string, brokerMessage?: string | null): KafkaError {
  const err = new KafkaError(code, brokerMessage ? `${context}: ${brokerMessage}` : context);
  return err;
}

/** Error codes after which cached metadata is stale and must be refreshed before a retry. */
export const METADATA_STALE_CODES: ReadonlySet<number> = new Set([
  3, // UNKNOWN_TOPIC_OR_PARTITION
  5, // LEADER_NOT_AVAILABLE
  6, // NOT_LEADER_OR_FOLLOWER
  74, // FENCED_LEADER_EPOCH
  75, // UNKNOWN_LEADER_EPOCH
  103, // INCONSISTENT_TOPIC_ID
]);

/** True for errors worth retrying: retriable Kafka codes and transient client failures. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ClientError) return err.code === 'CONNECTION_CLOSED' || err.code === 'REQUEST_TIMEOUT' || err.code === 'CONNECT_FAILED';
  if (err instanceof KafkaError) return isRetriableCode(err.code);
  return false;
}
