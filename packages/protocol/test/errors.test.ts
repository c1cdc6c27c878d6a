import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, errorName, isRetriable, KafkaError } from '../src/errors.ts';

test('ErrorCode covers every code from -1 to 128 exactly once', () => {
  const codes = Object.values(ErrorCode).sort((a, b) => a - b);
  assert.deepEqual(codes, Array.from({ length: 130 }, (_, i) => i - 1));
  assert.equal(ErrorCode.NONE, 0);
  assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
  assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
  assert.equal(ErrorCode.INVALID_REGULAR_EXPRESSION, 128);
});

test('errorName maps codes to Kafka names and marks unknown codes', () => {
  assert.equal(errorName(-1), 'UNKNOWN_SERVER_ERROR');
  assert.equal(errorName(19), 'NOT_ENOUGH_REPLICAS');
  assert.equal(errorName(500), 'UNKNOWN_CODE_500');
});

test('isRetriable follows the Java client', () => {
  for (const c of [2, 3, 5, 6, 7, 14, 15, 16, 19, 20]) assert.equal(isRetriable(c), true, errorName(c));
  for (const c of [-1, 0, 1, 10, 22, 25, 27, 29, 35, 36]) assert.equal(isRetriable(c), false, errorName(c));
});

test('KafkaError carries the numeric code, the Kafka name and the message', () => {
  const err = new KafkaError(ErrorCode.NOT_COORDINATOR, 'group g');
  assert.ok(err instanceof Error);
  assert.equal(err.code, 16);
  assert.equal(err.name, 'NOT_COORDINATOR');
  assert.equal(err.message, 'NOT_COORDINATOR: group g');
  assert.equal(err.retriable, true);
  assert.equal(new KafkaError(0).message, 'NONE');
});
