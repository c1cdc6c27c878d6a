/**
 * JoinGroup (key 11), versions 0-9. Classic group membership through the GroupCoordinator:
 * - v0 has no RebalanceTimeoutMs (the session timeout is used, as Kafka does);
 * - v4+: a member joining with an empty member id gets MEMBER_ID_REQUIRED and its new id
 *   (`${clientId}-${uuid}`), and must join again with it;
 * - v5+: static membership (GroupInstanceId), FENCED_INSTANCE_ID;
 * - v7+: ProtocolType in the response; ProtocolName null before a protocol is chosen (v0-6: "");
 * - v9: SkipAssignment is true when a static leader rejoins a Stable group without changes.
 * Errors: INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT (outside group.min/max.session.timeout.ms),
 * INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID, GROUP_MAX_SIZE_REACHED, COORDINATOR_LOAD_IN_PROGRESS,
 * and INVALID_REQUEST when one member's protocol metadata exceeds PROTOCOL_METADATA_BYTES_MAX
 * (1 MiB, Tributary's limit) or it lists more than PROTOCOLS_PER_MEMBER_MAX protocols.
 * The response is delayed until the rebalance completes. Not implemented: Reason is only accepted.
 */
import { JoinGroupApi, type JoinGroupRequest, type JoinGroupResponse } from '@tributary/protocol/generated/index.ts';
import type { JoinResult } from '../group/index.ts';
import { joinError } from '../group/index.ts';
import { defineHandler } from './registry.ts';

const REQUIRE_KNOWN_MEMBER_ID_VERSION_MIN = 4;
const NULLABLE_PROTOCOL_NAME_VERSION_MIN = 7;

function toResponse(r: JoinResult, version: number): JoinGroupResponse {
  const protocolName = r.protocolName ?? (version >= NULLABLE_PROTOCOL_NAME_VERSION_MIN ? null : '');
  return {
    throttleTimeMs: 0, errorCode: r.errorCode, generationId: r.generationId, protocolType: r.protocolType, protocolName,
    leader: r.leader, skipAssignment: r.skipAssignment, memberId: r.memberId,
    members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  };
}

export const joinGroupHandler = defineHandler<JoinGroupRequest, JoinGroupResponse>({
  api: JoinGroupApi,
  minVersion: 0,
  maxVersion: 9,
  async handle(ctx, request, version) {
    const result = await ctx.broker.groups.coordinator.join({
      groupId: request.groupId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId ?? null,
      clientId: ctx.header.clientId ?? '',
      clientHost: `/${ctx.connection.remoteAddress}`,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: version === 0 ? request.sessionTimeoutMs : (request.rebalanceTimeoutMs ?? request.sessionTimeoutMs),
      protocolType: request.protocolType,
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      requireKnownMemberId: version >= REQUIRE_KNOWN_MEMBER_ID_VERSION_MIN,
    });
    return toResponse(result, version);
  },
  errorResponse(request, version, errorCode) {
    return toResponse(joinError(request.memberId, errorCode), version);
  },
});
