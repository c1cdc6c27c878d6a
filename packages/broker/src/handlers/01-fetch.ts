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
 * Not implemented: fetch sessions (SessionId 0 = sessionless, which every client accepts; a request
 * naming a session gets FETCH_SESSION_ID_NOT_FOUND), replica fetches (replicaId >= 0 are served as
 * consumer fetches until replication lands), preferred read replicas (-1), diverging epochs,
 * forgotten topics (meaningless without sessions), quotas.
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
const FETCH_SESSION_ID_NOT_FOUND = 70;
const EMPTY: Buffer = Buffer.alloc(0);

interface FetchRead {
  readonly topics: FetchResponseFetchableTopicResponse[];
  readonly bytes: number;
  readonly hasError: boolean;
  readonly partitions: Partition[];
}

function errorPartition(partitionIndex: number, errorCode: number): FetchResponsePartitionData {
  return {
    partitionIndex, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1,
    abortedTransactions: null, preferredReadReplica: -1, records: EMPTY,
  };
}

function leaderEpochError(p: Partition, currentLeaderEpoch: number | undefined): number {
  if (currentLeaderEpoch === undefined || currentLeaderEpoch < 0 || currentLeaderEpoch === p.leaderEpoch) return ErrorCode.NONE;
  return currentLeaderEpoch < p.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
}

/** One pass over every requested partition, within the byte limits. */
function readAll(broker: BrokerContext, request: FetchRequest, version: number, responseBytesMax: number): FetchRead {
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
      partitions.push(p);
      const highWatermark = p.highWatermark;
      let records: Buffer = EMPTY;
      try {
        const limit = Math.max(0, Math.min(fp.partitionMaxBytes, responseBytesMax - bytes));
        records = p.log.read(fp.fetchOffset, { maxBytes: limit, maxOffset: highWatermark, minOneBatch, alloc: responseBufferPool.alloc }).records;
      } catch (e) {
        if (!(e instanceof StorageError)) throw e;
        hasError = true;
        const code = e.code === 'OFFSET_OUT_OF_RANGE' ? ErrorCode.OFFSET_OUT_OF_RANGE
          : e.code === 'LOG_CLOSED' ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.KAFKA_STORAGE_ERROR;
        return errorPartition(fp.partition, code);
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
      await waitForPartitions(broker.clock, read.partitions, request.maxWaitMs, () => {
        if (first) { first = false; return false; }
        read = readAll(broker, request, version, responseBytesMax);
        return satisfied(read);
      });
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
