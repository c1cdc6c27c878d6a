/**
 * OffsetForLeaderEpoch (key 23), versions 0-4 (KIP-101/279/320).
 * Per partition: the largest leader epoch <= the requested one this leader's epoch cache knows, and
 * the end offset of that epoch (the start offset of the next epoch, or the log end offset for the
 * current one); UNDEFINED (-1, -1) when the cache knows no such epoch. Followers call it after a
 * leader change to truncate only their divergent suffix; consumers (KIP-320) to detect truncation.
 * Errors per partition (epoch and end offset -1): UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER
 * (this broker does not lead the partition; answered to consumers and followers alike),
 * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (CurrentLeaderEpoch, v2+, below / above ours),
 * KAFKA_STORAGE_ERROR (log closed under us).
 * Not implemented: ReplicaId -2 (debug: answer from a follower), authorization (CLUSTER_ACTION for
 * followers, DESCRIBE for consumers).
 */
import {
  OffsetForLeaderEpochApi,
  type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse, type OffsetForLeaderEpochResponseEpochEndOffset,
} from '@tributary/protocol/generated/index.ts';
import { StorageError } from '@tributary/storage';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import { defineHandler } from './registry.ts';

type EpochEndOffset = OffsetForLeaderEpochResponseEpochEndOffset;

const failed = (partition: number, errorCode: number): EpochEndOffset => ({ partition, errorCode, leaderEpoch: -1, endOffset: -1 });

function endOffsetFor(broker: BrokerContext, topic: string, index: number, currentLeaderEpoch: number, leaderEpoch: number): EpochEndOffset {
  const p = broker.replicas.partition(topic, index);
  if (p === undefined) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (!p.isLeader) return failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (currentLeaderEpoch >= 0 && currentLeaderEpoch !== p.leaderEpoch) {
    return failed(index, currentLeaderEpoch < p.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH);
  }
  try {
    const r = p.log.endOffsetForEpoch(leaderEpoch);
    return { partition: index, errorCode: ErrorCode.NONE, leaderEpoch: r.epoch, endOffset: r.endOffset };
  } catch (e) {
    if (!(e instanceof StorageError)) throw e;
    return failed(index, ErrorCode.KAFKA_STORAGE_ERROR);
  }
}

export const offsetForLeaderEpochHandler = defineHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  api: OffsetForLeaderEpochApi,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => endOffsetFor(ctx.broker, t.topic, p.partition, p.currentLeaderEpoch ?? -1, p.leaderEpoch)),
      })),
    };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => failed(p.partition, errorCode)) })),
    };
  },
});
