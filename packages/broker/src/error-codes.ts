/** Kafka error codes, re-exported from the protocol package so broker code has one import path. */
export { ErrorCode, KafkaError, errorName } from '@tributary/protocol/errors.ts';
