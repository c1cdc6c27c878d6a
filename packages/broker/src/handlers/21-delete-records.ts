/**
 * DeleteRecords (key 21), versions 0-2.
 * Per partition: moves the log start offset to `offset` (-1 = the high watermark), dropping whole
 * segments below it; answers the new log start offset as lowWatermark. An offset at or below the
 * current start is a no-op that still succeeds. A single node has no followers, so the answer does
 * not wait for them.
 * Errors per partition (lowWatermark -1): UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER,
 * OFFSET_OUT_OF_RANGE (above the high watermark, or negative other than -1), POLICY_VIOLATION
 * (cleanup.policy without delete, as Kafka), KAFKA_STORAGE_ERROR.
 * Not implemented: timeoutMs (nothing to wait for), authorization.
 */
import {
  DeleteRecordsApi,
  type DeleteRecordsRequest, type DeleteRecordsResponse, type DeleteRecordsResponseDeleteRecordsPartitionResult,
} from '@tributary/protocol/generated/index.ts';
import { StorageError } from '@tributary/storage';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import { defineHandler } from './registry.ts';

/** DeleteRecords offset meaning "up to the high watermark". */
export const HIGH_WATERMARK_OFFSET = -1;

type PartitionResult = DeleteRecordsResponseDeleteRecordsPartitionResult;

const failed = (partitionIndex: number, errorCode: number): PartitionResult => ({ partitionIndex, lowWatermark: -1, errorCode });

function deletePartition(broker: BrokerContext, topic: string, index: number, requested: number): PartitionResult {
  const p = broker.replicas.partition(topic, index);
  if (p === undefined) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (!p.isLeader) return failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const policy = broker.replicas.topicConfig(topic)?.get('cleanup.policy');
  if (Array.isArray(policy) && !policy.includes('delete')) return failed(index, ErrorCode.POLICY_VIOLATION);
  const offset = requested === HIGH_WATERMARK_OFFSET ? p.highWatermark : requested;
  if (offset < 0 || offset > p.highWatermark) return failed(index, ErrorCode.OFFSET_OUT_OF_RANGE);
  try {
    return { partitionIndex: index, lowWatermark: p.deleteRecordsBefore(offset), errorCode: ErrorCode.NONE };
  } catch (e) {
    if (!(e instanceof StorageError)) throw e;
    broker.log.error('delete records failed', { topic, partition: index, code: e.code, err: e.message });
    if (e.code === 'OFFSET_OUT_OF_RANGE') return failed(index, ErrorCode.OFFSET_OUT_OF_RANGE);
    return failed(index, e.code === 'LOG_CLOSED' ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.KAFKA_STORAGE_ERROR);
  }
}

export const deleteRecordsHandler = defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  api: DeleteRecordsApi,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => deletePartition(ctx.broker, t.name, p.partitionIndex, p.offset)),
      })),
    };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => failed(p.partitionIndex, errorCode)) })),
    };
  },
});
