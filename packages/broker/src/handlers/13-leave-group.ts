/**
 * LeaveGroup (key 13), versions 0-5. v0-2 remove one member (MemberId); v3+ a batch of members,
 * each by member id or group instance id, with a per-member error (UNKNOWN_MEMBER_ID,
 * FENCED_INSTANCE_ID). v0-2 report a member's error as the top-level error, as Kafka does.
 * A leaving member triggers a rebalance. Not implemented: Reason (v5) is only accepted.
 */
import { LeaveGroupApi, type LeaveGroupRequest, type LeaveGroupResponse } from '@tributary/protocol/generated/index.ts';
import { ErrorCode } from '../error-codes.ts';
import { defineHandler } from './registry.ts';

const MEMBER_BATCH_VERSION_MIN = 3;

export const leaveGroupHandler = defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  api: LeaveGroupApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request, version) {
    const leaving = version >= MEMBER_BATCH_VERSION_MIN
      ? (request.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null }))
      : [{ memberId: request.memberId ?? '', groupInstanceId: null }];
    const r = await ctx.broker.groups.coordinator.leave(request.groupId, leaving);
    if (version < MEMBER_BATCH_VERSION_MIN) {
      const memberError = r.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
      return { throttleTimeMs: 0, errorCode: r.errorCode !== ErrorCode.NONE ? r.errorCode : memberError, members: [] };
    }
    return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members.map((m) => ({ ...m })) };
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, members: [] };
  },
});
