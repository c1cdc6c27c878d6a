/**
 * SyncGroup (key 14), versions 0-5. The leader's assignments (opaque bytes) are stored in
 * `__consumer_offsets` with the group, then handed to every member; followers wait for that.
 * Errors: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID (v3+),
 * INCONSISTENT_GROUP_PROTOCOL when v5's ProtocolType/ProtocolName differ from the group's,
 * INVALID_REQUEST for an assignment above PROTOCOL_METADATA_BYTES_MAX (1 MiB, Tributary's limit).
 * Not implemented: throttling.
 */
import { SyncGroupApi, type SyncGroupRequest, type SyncGroupResponse } from '@tributary/protocol/generated/index.ts';
import { defineHandler } from './registry.ts';

export const syncGroupHandler = defineHandler<SyncGroupRequest, SyncGroupResponse>({
  api: SyncGroupApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const r = await ctx.broker.groups.coordinator.sync({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId ?? null,
      protocolType: request.protocolType ?? null,
      protocolName: request.protocolName ?? null,
      assignments: request.assignments,
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
  },
});
