/**
 * The Produce handler's hook for topics with schema validation on.
 *
 * Memory: the connection recycles a Produce frame's memory as soon as the synchronous part of
 * dispatch returns. When every schema id is cached the check and the append happen synchronously
 * on the request's bytes (no copy). Otherwise the partition's records are COPIED before the first
 * await (registry lookup), checked again on the copy, and the copy is appended.
 *
 * Order: appends to one partition keep request order: while a validated append to a partition is
 * waiting, later validated appends to it queue behind it (they copy too, even on a warm cache).
 *
 * Registry unreachable (network, timeout, 5xx): REQUEST_TIMED_OUT, a retriable error, so producers
 * retry instead of dropping the batch. The reference does not say what Confluent Server answers;
 * we chose a retriable code on purpose: the records are not known to be bad.
 */
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import type { TopicConfig } from '../config/index.ts';
import type { Partition } from '../replica/index.ts';
import type { ProduceResponseBatchIndexAndErrorMessage } from '@tributary/protocol/generated/index.ts';
import { SCHEMA_REGISTRY_URL_KEY } from './names.ts';
import { RegistryUnavailableError } from './registry-client.ts';
import { SchemaValidator, type Verdict } from './validator.ts';

export type Reject<T> = (errorCode: number, message: string, recordErrors?: ProduceResponseBatchIndexAndErrorMessage[]) => T;

/** Check → load rounds before giving up (first sight, one refresh after a miss; more only if the cache evicts). */
const CHECK_ATTEMPTS_MAX = 4;

const validators = new WeakMap<BrokerContext, { readonly urls: string; readonly validator: SchemaValidator }>();
/** The last pending validated append per partition (keeps appends in order). */
const tails = new WeakMap<Partition, Promise<void>>();

/** True when the topic validates keys or values: the only cost on the unvalidated path. */
export function schemaValidationOn(config: TopicConfig): boolean {
  return config.valueSchemaValidation || config.keySchemaValidation;
}

function validatorFor(broker: BrokerContext, urls: readonly string[]): SchemaValidator {
  const key = urls.join(',');
  const known = validators.get(broker);
  if (known !== undefined && known.urls === key) return known.validator;
  const validator = new SchemaValidator(urls);
  validators.set(broker, { urls: key, validator });
  return validator;
}

/**
 * Validates `records` for a topic with validation on and appends them with `append` (called with
 * the request's bytes when synchronous, with a copy otherwise); `reject` builds a failed result.
 */
export function validateThenAppend<T>(
  broker: BrokerContext, topic: string, partition: Partition, config: TopicConfig, records: Buffer,
  append: (records: Buffer) => T, reject: Reject<T>,
): T | Promise<T> {
  const urls = broker.config.get(SCHEMA_REGISTRY_URL_KEY) as readonly string[] | null;
  if (urls === null || urls.length === 0) {
    return reject(ErrorCode.INVALID_CONFIG, `Topic ${topic} has schema validation on but the broker config ${SCHEMA_REGISTRY_URL_KEY} is not set`);
  }
  const validator = validatorFor(broker, urls);
  const rules = SchemaValidator.rules(config);
  const compacted = config.compacted;
  const check = (bytes: Buffer): Verdict | { kind: 'corrupt'; message: string } => {
    try {
      return validator.check(topic, rules, compacted, bytes, broker.clock.now());
    } catch (e) {
      return { kind: 'corrupt', message: `Records of ${topic}-${partition.index} could not be decoded for schema validation: ${(e as Error).message}` };
    }
  };
  const pending = tails.get(partition);
  if (pending === undefined) {
    const v = check(records);
    if (v.kind === 'corrupt') return reject(ErrorCode.CORRUPT_MESSAGE, v.message);
    if (v.kind === 'ok') return append(records);
    if (v.kind === 'invalid') return reject(ErrorCode.INVALID_RECORD, v.message, v.recordErrors);
  }
  const copy = Buffer.from(records); // the request's memory is recycled once dispatch returns
  const run = (async (): Promise<T> => {
    if (pending !== undefined) await pending;
    for (let attempt = 1; attempt <= CHECK_ATTEMPTS_MAX; attempt++) {
      const v = check(copy);
      if (v.kind === 'corrupt') return reject(ErrorCode.CORRUPT_MESSAGE, v.message);
      if (v.kind === 'invalid') return reject(ErrorCode.INVALID_RECORD, v.message, v.recordErrors);
      if (v.kind === 'ok') {
        if (!partition.isLeader) return reject(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'Leadership moved while the schema ids were looked up');
        return append(copy);
      }
      try {
        await validator.load(v.ids, v.misses, v.strict, () => broker.clock.now());
      } catch (e) {
        if (!(e instanceof RegistryUnavailableError)) throw e;
        broker.log.warn('schema validation: registry unavailable', { topic, partition: partition.index, err: e.message });
        return reject(ErrorCode.REQUEST_TIMED_OUT, `Schema validation of ${topic} could not reach the Schema Registry: ${e.message}`);
      }
    }
    return reject(ErrorCode.REQUEST_TIMED_OUT, `Schema ids of ${topic} did not stay cached long enough to validate; retry`);
  })();
  const tail = run.then(() => undefined, () => undefined);
  tails.set(partition, tail);
  void tail.then(() => { if (tails.get(partition) === tail) tails.delete(partition); });
  return run;
}
