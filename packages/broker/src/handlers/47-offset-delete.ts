/**
 * OffsetDelete (key 47), version 0. Deletes committed offsets (tombstones) of partitions whose
 * topic no member subscribes to: GROUP_SUBSCRIBED_TO_TOPIC when a member of a "consumer" group
 * subscribes to it (from its ConsumerProtocolSubscription), GROUP_ID_NOT_FOUND for an unknown
 * group, NON_EMPTY_GROUP for a non-consumer group with members, UNKNOWN_TOPIC_OR_PARTITION.
 */
import { OffsetDeleteApi, type OffsetDeleteRequest, type OffsetDeleteResponse } from '@tributary/protocol/generated/index.ts';
import { defineHandler } from './registry.ts';

export const offsetDeleteHandler = defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  api: OffsetDeleteApi,
  minVersion: 0,
  maxVersion: 0,
  async handle(ctx, request) {
    const r = await ctx.broker.groups.offsets.deleteOffsets(request.groupId, request.topics);
    return { errorCode: r.errorCode, throttleTimeMs: 0, topics: r.topics };
  },
  errorResponse(_request, _version, errorCode) {
    return { errorCode, throttleTimeMs: 0, topics: [] };
  },
});
