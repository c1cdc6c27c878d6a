/**
 * Request and result shapes of the group coordinator, its limits, and the error replies. Kept
 * apart from the state machine so handlers and tests can import them without it.
 */
import { ErrorCode } from '../error-codes.ts';
import type { JoinResult, MemberProtocol, SyncResult } from './classic-group.ts';

/**
 * Tributary's limit on one member's protocol metadata (sum over its protocols) and on one
 * SyncGroup assignment. Kafka has no such limit (only socket.request.max.bytes); beyond it the
 * request is answered with INVALID_REQUEST.
 */
export const PROTOCOL_METADATA_BYTES_MAX = 1_048_576;
/** Most protocols (assignors) one member may list; beyond it: INVALID_REQUEST. */
export const PROTOCOLS_PER_MEMBER_MAX = 64;
/** Kafka's NewMemberJoinTimeoutMs: a new member that never completes its first join expires after this. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;

export interface JoinRequest {
  readonly groupId: string;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly MemberProtocol[];
  /** JoinGroup v4+: an unknown member first gets MEMBER_ID_REQUIRED with its new id. */
  readonly requireKnownMemberId: boolean;
}

export interface SyncRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignments: readonly { memberId: string; assignment: Buffer }[];
}

export interface MemberIdentity {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface LeaveResult {
  readonly errorCode: number;
  readonly members: readonly (MemberIdentity & { errorCode: number })[];
}

export const joinError = (memberId: string, errorCode: number): JoinResult => ({
  errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [], skipAssignment: false,
});
export const syncError = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
