/**
 * Heartbeat (key 12), versions 0-4. Refreshes the member's session. Errors drive the client's
 * rejoin: REBALANCE_IN_PROGRESS while the group prepares a rebalance, ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID (v3+), COORDINATOR_LOAD_IN_PROGRESS.
 */
import { HeartbeatApi, type HeartbeatRequest, type HeartbeatResponse } from '@tributary/protocol/generated/index.ts';
import { defineHandler } from './registry.ts';

export const heartbeatHandler = defineHandler<HeartbeatRequest, HeartbeatResponse>({
  api: HeartbeatApi,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const errorCode = await ctx.broker.groups.coordinator.heartbeat(
      request.groupId, request.memberId, request.groupInstanceId ?? null, request.generationId);
    return { throttleTimeMs: 0, errorCode };
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
});
