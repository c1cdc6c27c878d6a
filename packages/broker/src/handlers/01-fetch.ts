/**
 * Fetch (key 1), versions 4-17 (v13+ name topics by id: resolved through the metadata store,
 * UNKNOWN_TOPIC_ID when unknown).
 * - Long poll: answers at once when MinBytes are available, a partition has an error, or MaxWaitMs
 *   is 0; otherwise waits, waking whenever a fetched partition's high watermark advances, until
 *   MaxWaitMs on the injected clock.
 * - Sizes: MaxBytes (capped by fetch.max.bytes) over the response, PartitionMaxBytes per partition;
 *   KIP-74: the first batch of the first partition with data is returned whole even if larger.
 * - Consumers read up to the high watermark; read_committed reads up to the last stable offset,
 *   which equals the high watermark until transactions exist (no aborted transactions are listed).
 * - Errors per partition: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, NOT_LEADER_OR_FOLLOWER,
 *   OFFSET_OUT_OF_RANGE, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH (CurrentLeaderEpoch, v9+).
 * - Records are the stored bytes, passed to the encoder by reference; mid-sized reads go into
 *   recycled memory (network/response-buffer-pool.ts), returned when the socket has written them.
 * - Follower fetches (ReplicaId >= 0: the body field up to v14, ReplicaState from v15): the replica
 *   must be in the partition's assignment (else NOT_LEADER_OR_FOLLOWER); its fetch offset is
 *   recorded as its log end offset (HW advance, ISR expansion: ReplicaManager.recordFollowerFetch);
 *   data is returned up to the leader's log end offset, not the HW; OFFSET_OUT_OF_RANGE carries the
 *   leader's log start offset; the long poll also wakes on leader appends.
 * Not implemented: fetch sessions (SessionId 0 = sessionless, which every client accepts; a request
 * naming a session gets FETCH_SESSION_ID_NOT_FOUND), preferred read replicas (-1), diverging epochs
 * (followers truncate with OffsetForLeaderEpoch instead), forgotten topics (meaningless without
 * sessions), quotas.
 */
import {
  FetchApi, type FetchRequest, type FetchResponse, type FetchResponseFetchableTopicResponse, type FetchResponsePartitionData,
} from '@tributary/protocol/generated/index.ts';
import { StorageError } from '@tributary/storage';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import { responseBufferPool } from '../network/response-buffer-pool.ts';
import type { Partition } from '../replica/index.ts';
import { defineHandler } from './registry.ts';
import { waitForPartitions } from './wait-for.ts';

const TOPIC_IDS_VERSION = 13;
/** From v15 the follower's id moves from ReplicaId into ReplicaState (KIP-903). */
const REPLICA_ID_IN_BODY_VERSION_MAX = 14;
const FETCH_SESSION_ID_NOT_FOUND = 70;
const EMPTY: Buffer = Buffer.alloc(0);

interface FetchRead {
  readonly topics: FetchResponseFetchableTopicResponse[];
  readonly bytes: number;
  readonly hasError: boolean;
  readonly partitions: Partition[];
}

function errorPartition(partitionIndex: number, errorCode: number, logStartOffset = -1): FetchResponsePartitionData {
  return {
    partitionIndex, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset,
    abortedTransactions: null, preferredReadReplica: -1, records: EMPTY,
  };
}

function leaderEpochError(p: Partition, currentLeaderEpoch: number | undefined): number {
  if (currentLeaderEpoch === undefined || currentLeaderEpoch < 0 || currentLeaderEpoch === p.leaderEpoch) return ErrorCode.NONE;
  return currentLeaderEpoch < p.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
}

/** The follower's broker id, or -1 for a consumer. */
function replicaIdOf(request: FetchRequest, version: number): number {
  return version <= REPLICA_ID_IN_BODY_VERSION_MAX ? (request.replicaId ?? -1) : (request.replicaState?.replicaId ?? -1);
}

/** Leader-side checks of a follower fetch; records its fetch offset. NONE when it may read. */
function followerFetchError(broker: BrokerContext, p: Partition, replicaId: number, fetchOffset: number): number {
  if (!p.replicas.includes(replicaId) || replicaId === broker.config.brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (fetchOffset > p.logEndOffset || fetchOffset < p.logStartOffset) return ErrorCode.OFFSET_OUT_OF_RANGE;
  return broker.replicas.recordFollowerFetch(p, replicaId, fetchOffset) ? ErrorCode.NONE : ErrorCode.NOT_LEADER_OR_FOLLOWER;
}

/** One pass over every requested partition, within the byte limits. */
function readAll(broker: BrokerContext, request: FetchRequest, version: number, responseBytesMax: number): FetchRead {
  const replicaId = replicaIdOf(request, version);
  let bytes = 0;
  let hasError = false;
  let minOneBatch = true;
  const partitions: Partition[] = [];
  const topics = request.topics.map((t): FetchResponseFetchableTopicResponse => {
    const name = version >= TOPIC_IDS_VERSION ? broker.store.topicById(t.topicId ?? '')?.name : t.topic;
    const unknownCode = version >= TOPIC_IDS_VERSION && name === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const out = t.partitions.map((fp): FetchResponsePartitionData => {
      const p = name === undefined ? undefined : broker.replicas.partition(name, fp.partition);
      if (p === undefined) { hasError = true; return errorPartition(fp.partition, unknownCode); }
      const epochError = p.isLeader ? leaderEpochError(p, fp.currentLeaderEpoch) : ErrorCode.NOT_LEADER_OR_FOLLOWER;
      if (epochError !== ErrorCode.NONE) { hasError = true; return errorPartition(fp.partition, epochError); }
      if (replicaId >= 0) {
        const code = followerFetchError(broker, p, replicaId, fp.fetchOffset);
        if (code !== ErrorCode.NONE) { hasError = true; return errorPartition(fp.partition, code, p.logStartOffset); }
      }
      partitions.push(p);
      const highWatermark = p.highWatermark;
      let records: Buffer = EMPTY;
      try {
        const limit = Math.max(0, Math.min(fp.partitionMaxBytes, responseBytesMax - bytes));
        const maxOffset = replicaId >= 0 ? p.logEndOffset : highWatermark;
        records = p.log.read(fp.fetchOffset, { maxBytes: limit, maxOffset, minOneBatch, alloc: responseBufferPool.alloc }).records;
      } catch (e) {
        if (!(e instanceof StorageError)) throw e;
        hasError = true;
        const code = e.code === 'OFFSET_OUT_OF_RANGE' ? ErrorCode.OFFSET_OUT_OF_RANGE
          : e.code === 'LOG_CLOSED' ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.KAFKA_STORAGE_ERROR;
        return errorPartition(fp.partition, code, p.logStartOffset);
      }
      if (records.length > 0) minOneBatch = false;
      bytes += records.length;
      return {
        partitionIndex: fp.partition, errorCode: ErrorCode.NONE, highWatermark,
        lastStableOffset: p.lastStableOffset, logStartOffset: p.logStartOffset,
        abortedTransactions: null, preferredReadReplica: -1, records,
      };
    });
    return { topic: t.topic ?? name ?? '', topicId: t.topicId ?? p0TopicId(broker, name), partitions: out };
  });
  return { topics, bytes, hasError, partitions };
}

function p0TopicId(broker: BrokerContext, name: string | undefined): string {
  return (name === undefined ? undefined : broker.store.topic(name)?.topicId) ?? 'AAAAAAAAAAAAAAAAAAAAAA';
}

export const fetchHandler = defineHandler<FetchRequest, FetchResponse>({
  api: FetchApi,
  minVersion: 4,
  maxVersion: 17,
  async handle(ctx, request, version) {
    const { broker } = ctx;
    if ((request.sessionId ?? 0) !== 0) {
      return { throttleTimeMs: 0, errorCode: FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] };
    }
    const responseBytesMax = Math.min(request.maxBytes ?? 0x7fffffff, broker.config.int('fetch.max.bytes'));
    let read = readAll(broker, request, version, responseBytesMax);
    const satisfied = (r: FetchRead): boolean => r.hasError || r.bytes >= request.minBytes;
    if (!satisfied(read) && request.maxWaitMs > 0) {
      let first = true; // the read above is fresh: skip the immediate re-check
      const watch = replicaIdOf(request, version) >= 0 ? 'append' : 'highWatermark';
      await waitForPartitions(broker.clock, read.partitions, request.maxWaitMs, () => {
        if (first) { first = false; return false; }
        read = readAll(broker, request, version, responseBytesMax);
        return satisfied(read);
      }, watch);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: read.topics };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0, errorCode, sessionId: 0,
      responses: request.topics.map((t) => ({
        topic: t.topic ?? '', topicId: t.topicId ?? 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: t.partitions.map((p) => errorPartition(p.partition, errorCode)),
      })),
    };
  },
});
