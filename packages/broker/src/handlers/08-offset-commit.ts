/**
 * OffsetCommit (key 8), versions 0-9. Commits are records in `__consumer_offsets`; the response
 * waits until they are replicated (offsets.commit.timeout.ms).
 * - Group commits are checked as Kafka does: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION,
 *   REBALANCE_IN_PROGRESS (CompletingRebalance), FENCED_INSTANCE_ID (v7+). A commit with generation
 *   -1 to a group without members is a "simple" commit (and creates the group when unknown); a
 *   positive generation for an unknown group gets ILLEGAL_GENERATION.
 * - v1 CommitTimestamp (-1 = now) and v2-4 RetentionTimeMs (-1 = offsets.retention.minutes) are kept.
 * - Per partition: UNKNOWN_TOPIC_OR_PARTITION, OFFSET_METADATA_TOO_LARGE (offset.metadata.max.bytes).
 * - v6+ committed leader epoch is stored and returned by OffsetFetch.
 * - v9 (KIP-848) is served with classic-group semantics (GenerationIdOrMemberEpoch = generation).
 * Not implemented: consumer-protocol (KIP-848) groups, throttling.
 */
import { OffsetCommitApi, type OffsetCommitRequest, type OffsetCommitResponse } from '@tributary/protocol/generated/index.ts';
import { defineHandler } from './registry.ts';

export const offsetCommitHandler = defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  api: OffsetCommitApi,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request) {
    const topics = await ctx.broker.groups.offsets.commit({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch ?? -1,
      memberId: request.memberId ?? '',
      groupInstanceId: request.groupInstanceId ?? null,
      retentionTimeMs: request.retentionTimeMs ?? -1,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex, committedOffset: p.committedOffset, committedLeaderEpoch: p.committedLeaderEpoch ?? -1,
          commitTimestamp: p.commitTimestamp ?? -1, committedMetadata: p.committedMetadata ?? null,
        })),
      })),
    });
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    };
  },
});
