/**
 * ListOffsets (key 2), versions 1-9.
 * Per partition, by Timestamp: -2 earliest (log start offset), -1 latest (high watermark; the last
 * stable offset under read_committed, equal until transactions exist), -3 max timestamp (v7+,
 * KIP-734), -4 earliest local (v8+: the log start offset, there is no tiered storage), -5 latest
 * tiered (v9+: -1, nothing is tiered), otherwise the first offset whose timestamp is >= Timestamp
 * (-1 when none). LeaderEpoch is the epoch of the batch holding the returned offset.
 * Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH /
 * UNKNOWN_LEADER_EPOCH (CurrentLeaderEpoch, v4+).
 * Not implemented: v0 (MaxNumOffsets / OldStyleOffsets), replica (follower) requests beyond
 * reading like a consumer, v10's async remote lookups.
 */
import {
  ListOffsetsApi, type ListOffsetsRequest, type ListOffsetsResponse, type ListOffsetsResponseListOffsetsPartitionResponse,
} from '@tributary/protocol/generated/index.ts';
import { StorageError } from '@tributary/storage';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import type { Partition } from '../replica/index.ts';
import { defineHandler } from './registry.ts';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;
export const LATEST_TIERED_TIMESTAMP = -5;

type PartitionResponse = ListOffsetsResponseListOffsetsPartitionResponse;

function failed(partitionIndex: number, errorCode: number): PartitionResponse {
  return { partitionIndex, errorCode, timestamp: -1, offset: -1, leaderEpoch: -1 };
}

/** Epoch of the leader that wrote `offset` (from the leader-epoch checkpoint), -1 if unknown. */
function epochForOffset(p: Partition, offset: number): number {
  let epoch = -1;
  for (const e of p.log.leaderEpochEntries) {
    if (e.startOffset > offset) break;
    epoch = e.epoch;
  }
  return epoch;
}

function lookup(p: Partition, timestamp: number): { offset: number; timestamp: number } {
  switch (timestamp) {
    case EARLIEST_TIMESTAMP:
    case EARLIEST_LOCAL_TIMESTAMP:
      return { offset: p.logStartOffset, timestamp: -1 };
    case LATEST_TIMESTAMP:
      return { offset: p.highWatermark, timestamp: -1 };
    case LATEST_TIERED_TIMESTAMP:
      return { offset: -1, timestamp: -1 };
    case MAX_TIMESTAMP: {
      const found = p.log.maxTimestampOffset();
      return found.offset < p.highWatermark ? found : { offset: -1, timestamp: -1 };
    }
    default: {
      const found = timestamp < 0 ? null : p.log.offsetForTimestamp(timestamp);
      return found !== null && found.offset < p.highWatermark ? found : { offset: -1, timestamp: -1 };
    }
  }
}

function listPartition(broker: BrokerContext, topic: string, index: number, timestamp: number, currentLeaderEpoch?: number): PartitionResponse {
  const p = broker.replicas.partition(topic, index);
  if (p === undefined) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (!p.isLeader) return failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (currentLeaderEpoch !== undefined && currentLeaderEpoch >= 0 && currentLeaderEpoch !== p.leaderEpoch) {
    return failed(index, currentLeaderEpoch < p.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH);
  }
  try {
    const found = lookup(p, timestamp);
    const leaderEpoch = found.offset < 0 ? -1 : timestamp === LATEST_TIMESTAMP ? p.leaderEpoch : epochForOffset(p, found.offset);
    return { partitionIndex: index, errorCode: ErrorCode.NONE, timestamp: found.timestamp, offset: found.offset, leaderEpoch };
  } catch (e) {
    if (!(e instanceof StorageError)) throw e;
    broker.log.error('list offsets failed', { topic, partition: index, code: e.code, err: e.message });
    return failed(index, e.code === 'LOG_CLOSED' ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.KAFKA_STORAGE_ERROR);
  }
}

export const listOffsetsHandler = defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  api: ListOffsetsApi,
  minVersion: 1,
  maxVersion: 9,
  handle(ctx, request) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => listPartition(ctx.broker, t.name, p.partitionIndex, p.timestamp, p.currentLeaderEpoch)),
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
