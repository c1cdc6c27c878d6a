/**
 * OffsetFetch (key 9), versions 0-9.
 * - v0-7: one group; null Topics (v2+) = every partition with a committed offset; a partition
 *   without a commit gets offset -1, leader epoch -1, metadata "". Group-level errors
 *   (COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR) are top-level from v2, per partition before.
 * - v8+: the multi-group layout (Groups[] in, Groups[] out, one error per group).
 * - RequireStable (v7+) is accepted: without transactions no offset is ever pending.
 * Not implemented: v9 member id/epoch checks (only KIP-848 groups have them), throttling.
 */
import {
  OffsetFetchApi, type OffsetFetchRequest, type OffsetFetchResponse, type OffsetFetchResponseOffsetFetchResponseTopic,
} from '@tributary/protocol/generated/index.ts';
import { ErrorCode } from '../error-codes.ts';
import type { FetchResult } from '../group/index.ts';
import { defineHandler } from './registry.ts';

const TOP_LEVEL_ERROR_VERSION_MIN = 2;
const MULTI_GROUP_VERSION_MIN = 8;

type Topics = readonly { name: string; partitionIndexes: readonly number[] }[] | null;

/** v0-1 have no top-level error: a group error goes into every requested partition. */
function singleGroup(r: FetchResult, requested: Topics, version: number): OffsetFetchResponse {
  if (r.errorCode !== ErrorCode.NONE && version < TOP_LEVEL_ERROR_VERSION_MIN) {
    const topics: OffsetFetchResponseOffsetFetchResponseTopic[] = (requested ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: r.errorCode })),
    }));
    return { throttleTimeMs: 0, topics, errorCode: r.errorCode, groups: [] };
  }
  return { throttleTimeMs: 0, topics: r.topics, errorCode: r.errorCode, groups: [] };
}

export const offsetFetchHandler = defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  api: OffsetFetchApi,
  minVersion: 0,
  maxVersion: 9,
  handle(ctx, request, version) {
    const offsets = ctx.broker.groups.offsets;
    if (version >= MULTI_GROUP_VERSION_MIN) {
      const groups = (request.groups ?? []).map((g) => {
        const r = offsets.fetch(g.groupId, g.topics ?? null);
        return { groupId: g.groupId, topics: r.topics, errorCode: r.errorCode };
      });
      return { throttleTimeMs: 0, groups };
    }
    const topics = request.topics ?? null;
    return singleGroup(offsets.fetch(request.groupId ?? '', topics), topics, version);
  },
  errorResponse(request, version, errorCode) {
    if (version >= MULTI_GROUP_VERSION_MIN) {
      return { throttleTimeMs: 0, groups: (request.groups ?? []).map((g) => ({ groupId: g.groupId, topics: [], errorCode })) };
    }
    return singleGroup({ errorCode, topics: [] }, request.topics ?? null, version);
  },
});
