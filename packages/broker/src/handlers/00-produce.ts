/**
 * Produce (key 0), advertised 0-11, served 3-11 (magic 2 record batches only).
 * - v0-2 are advertised but answered per partition with UNSUPPORTED_FOR_MESSAGE_FORMAT, as Kafka
 *   4.0 does (KAFKA-18659): librdkafka up to 2.10 enables gzip/snappy/lz4 only when Produce v0-2
 *   are in the broker's range, and every client picks the highest common version (7+), so the
 *   old versions are never actually sent by the clients we serve. 3 and 7 must stay in range for
 *   librdkafka's MsgVer2 and zstd feature gates.
 * - acks 0 (no response; a failed partition closes the connection, as Kafka does so the client
 *   notices), 1 (answers after the local append), and -1 (answers once the high watermark passes
 *   the batch, within TimeoutMs, else REQUEST_TIMED_OUT; on a single node that is immediate; when
 *   the HW passes it with the ISR below min.insync.replicas, NOT_ENOUGH_REPLICAS_AFTER_APPEND; when
 *   leadership moves while waiting, NOT_LEADER_OR_FOLLOWER). Other values: INVALID_REQUIRED_ACKS.
 * - Per partition: UNKNOWN_TOPIC_OR_PARTITION, INVALID_TOPIC_EXCEPTION for internal topics,
 *   NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS (acks=-1 with ISR below min.insync.replicas),
 *   batch validation by validateProduceRecords (CRC, framing, max.message.bytes, zstd needs v7,
 *   keys on compacted topics), INVALID_TIMESTAMP against message.timestamp.before/after.max.ms
 *   (checked on the batch's base and max timestamps), LogAppendTime stamping.
 * - Records stay bytes: validated, offsets assigned in place, appended.
 * - Broker-side schema validation (topic configs confluent.{key,value}.schema.validation): the hook
 *   in schema-validation/produce-hook.ts. INVALID_RECORD with recordErrors for records that fail,
 *   INVALID_CONFIG without confluent.schema.registry.url, REQUEST_TIMED_OUT (retriable) when the
 *   registry is unreachable. A cache miss means an HTTP lookup: those partitions' records are
 *   copied before the await and the copy appended (the exception to the rule below).
 * - Every append happens in the synchronous part of handle() and nothing keeps a reference to the
 *   request's bytes afterwards: the connection recycles a Produce frame's memory for the next
 *   request as soon as dispatch returns (network/frame-decoder.ts). Keep it so (an await before
 *   an append, or holding `records`, would let the next request overwrite them).
 * Not implemented yet: idempotent/transactional producer state (batches with a producer id are
 * appended without sequence checks; issue 5), recompression to a topic's compression.type (batches
 * are stored with the producer's codec), quotas/throttling, KIP-951 leader hints.
 */
import { validateProduceRecords, baseTimestamp, maxTimestamp } from '@tributary/protocol';
import {
  ProduceApi, type ProduceRequest, type ProduceResponse, type ProduceResponseBatchIndexAndErrorMessage,
  type ProduceResponsePartitionProduceResponse,
} from '@tributary/protocol/generated/index.ts';
import { StorageError } from '@tributary/storage';
import type { BrokerContext } from '../broker-context.ts';
import type { TopicConfig } from '../config/index.ts';
import { ErrorCode } from '../error-codes.ts';
import { isInternalTopic, type Partition } from '../replica/index.ts';
import { schemaValidationOn, validateThenAppend } from '../schema-validation/produce-hook.ts';
import { CLOSE_CONNECTION, defineHandler, NO_RESPONSE } from './registry.ts';
import { waitForPartitions } from './wait-for.ts';

type PartitionResponse = ProduceResponsePartitionProduceResponse;

interface Appended {
  readonly response: PartitionResponse;
  /** Set when the append succeeded: the HW must reach this for acks=-1. */
  readonly partition?: Partition;
  readonly requiredOffset?: number;
  /** The leader epoch of the append: a different one while waiting means leadership moved. */
  readonly leaderEpoch?: number;
  readonly minInsyncReplicas?: number;
}

function failed(
  index: number, errorCode: number, errorMessage: string | null = null, recordErrors: ProduceResponseBatchIndexAndErrorMessage[] = [],
): Appended {
  return { response: { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors, errorMessage } };
}

function timestampProblem(records: Buffer, config: TopicConfig, nowMs: number): string | undefined {
  const before = config.timestampBeforeMaxMs;
  const after = config.timestampAfterMaxMs;
  for (const ts of [baseTimestamp(records, 0), maxTimestamp(records, 0)]) {
    if (ts < 0) continue; // no timestamp (-1) is allowed
    if (nowMs - ts > before) return `Timestamp ${ts} of the batch is more than ${before} ms before the broker time ${nowMs}`;
    if (ts - nowMs > after) return `Timestamp ${ts} of the batch is more than ${after} ms after the broker time ${nowMs}`;
  }
  return undefined;
}

/** Oldest Produce version carrying magic-2 batches; v0-2 are advertised only (see the header). */
const PRODUCE_MAGIC2_VERSION_MIN = 3;

function appendPartition(
  broker: BrokerContext, topic: string, index: number, records: Buffer | null, acks: number, version: number,
): Appended | Promise<Appended> {
  if (version < PRODUCE_MAGIC2_VERSION_MIN) {
    return failed(index, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      `Produce v${version} (message format v0/v1) is not supported; use Produce v${PRODUCE_MAGIC2_VERSION_MIN} or later`);
  }
  if (isInternalTopic(topic)) return failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`);
  const partition = broker.replicas.partition(topic, index);
  const config = broker.replicas.topicConfig(topic);
  if (partition === undefined || config === undefined) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (!partition.isLeader) return failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const checked = validateProduceRecords(records, {
    maxMessageBytes: config.maxMessageBytes, produceVersion: version, compactedTopic: config.compacted,
  });
  if (!checked.ok) return failed(index, checked.errorCode, checked.message);
  if (checked.batchCount === 0 || records === null) return failed(index, ErrorCode.INVALID_RECORD, 'Produce requires one record batch per partition');
  const nowMs = broker.clock.now();
  if (!config.logAppendTime) {
    const problem = timestampProblem(records, config, nowMs);
    if (problem !== undefined) return failed(index, ErrorCode.INVALID_TIMESTAMP, problem);
  }
  if (acks === -1 && partition.isr.length < config.minInsyncReplicas) {
    return failed(index, ErrorCode.NOT_ENOUGH_REPLICAS,
      `ISR size ${partition.isr.length} is below min.insync.replicas ${config.minInsyncReplicas}`);
  }
  if (schemaValidationOn(config)) {
    return validateThenAppend(broker, topic, partition, config, records,
      (checked) => appendChecked(broker, topic, index, partition, config, checked, checked === records ? nowMs : broker.clock.now()),
      (errorCode, message, recordErrors) => failed(index, errorCode, message, recordErrors));
  }
  return appendChecked(broker, topic, index, partition, config, records, nowMs);
}

function appendChecked(
  broker: BrokerContext, topic: string, index: number, partition: Partition, config: TopicConfig, records: Buffer, nowMs: number,
): Appended {
  try {
    const r = partition.appendAsLeader(records, config.logAppendTime ? { logAppendTimeMs: nowMs } : {});
    return {
      response: {
        index, errorCode: ErrorCode.NONE, baseOffset: r.baseOffset, logAppendTimeMs: r.logAppendTimeMs,
        logStartOffset: partition.logStartOffset, recordErrors: [], errorMessage: null,
      },
      partition,
      requiredOffset: r.lastOffset + 1,
      leaderEpoch: partition.leaderEpoch,
      minInsyncReplicas: config.minInsyncReplicas,
    };
  } catch (e) {
    if (!(e instanceof StorageError)) throw e;
    broker.log.error('append failed', { topic, partition: index, code: e.code, err: e.message });
    const code = e.code === 'INVALID_RECORD_BATCH' ? ErrorCode.CORRUPT_MESSAGE
      : e.code === 'LOG_CLOSED' ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.KAFKA_STORAGE_ERROR;
    return failed(index, code, e.message);
  }
}

export const produceHandler = defineHandler<ProduceRequest, ProduceResponse>({
  api: ProduceApi,
  minVersion: 0,
  maxVersion: 11,
  async handle(ctx, request, version) {
    const { broker } = ctx;
    const acks = request.acks;
    // Every append is started here, synchronously; only schema-validated partitions may finish later.
    const started: { name: string; parts: (Appended | Promise<Appended>)[] }[] = request.topicData.map((t) => ({
      name: t.name,
      parts: t.partitionData.map((p) => (acks === 0 || acks === 1 || acks === -1)
        ? appendPartition(broker, t.name, p.index, p.records ?? null, acks, version)
        : failed(p.index, ErrorCode.INVALID_REQUIRED_ACKS)),
    }));
    const results = started.some((t) => t.parts.some((p) => p instanceof Promise))
      ? await Promise.all(started.map(async (t) => ({ name: t.name, parts: await Promise.all(t.parts) })))
      : started as { name: string; parts: Appended[] }[];
    if (acks === 0) {
      const anyFailed = results.some((t) => t.parts.some((p) => p.response.errorCode !== ErrorCode.NONE));
      return anyFailed ? CLOSE_CONNECTION : NO_RESPONSE;
    }
    if (acks === -1) await waitForReplication(broker, results.flatMap((t) => t.parts), request.timeoutMs);
    return {
      responses: results.map((t) => ({ name: t.name, partitionResponses: t.parts.map((p) => p.response) })),
      throttleTimeMs: 0,
    };
  },
  errorResponse(request, _version, errorCode) {
    return {
      responses: request.topicData.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => failed(p.index, errorCode).response) })),
      throttleTimeMs: 0,
    };
  },
});

/** True when the acks=-1 wait for `p` is over: replicated, or leadership moved (the answer is then an error). */
function settled(p: Appended): boolean {
  const partition = p.partition!;
  return partition.highWatermark >= p.requiredOffset! || !partition.isLeader || partition.leaderEpoch !== p.leaderEpoch;
}

/**
 * acks=-1: wait until every appended partition's HW covers its batch (or its leadership moved).
 * Outcome per partition: NONE; NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR is below
 * min.insync.replicas once the HW passes (it shrank while waiting); NOT_LEADER_OR_FOLLOWER when
 * leadership moved; REQUEST_TIMED_OUT when TimeoutMs passed first.
 */
async function waitForReplication(broker: BrokerContext, parts: Appended[], timeoutMs: number): Promise<void> {
  const pending = parts.filter((p) => p.partition !== undefined);
  await waitForPartitions(broker.clock, pending.map((p) => p.partition!), timeoutMs, () => pending.every(settled));
  for (const p of pending) {
    const partition = p.partition!;
    const r = p.response as { errorCode: number; errorMessage?: string | null };
    if (!partition.isLeader || partition.leaderEpoch !== p.leaderEpoch) {
      r.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
      r.errorMessage = 'Leadership moved before the in-sync replicas acknowledged the batch';
    } else if (partition.highWatermark < p.requiredOffset!) {
      r.errorCode = ErrorCode.REQUEST_TIMED_OUT;
      r.errorMessage = 'acks=all timed out waiting for the in-sync replicas';
    } else if (partition.isr.length < p.minInsyncReplicas!) {
      r.errorCode = ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
      r.errorMessage = `ISR size ${partition.isr.length} fell below min.insync.replicas ${p.minInsyncReplicas} after the append`;
    }
  }
}
