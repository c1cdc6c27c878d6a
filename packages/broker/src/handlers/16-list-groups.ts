/**
 * ListGroups (key 16), versions 0-5. Every group this coordinator hosts, with its protocol type,
 * state (v4+, StatesFilter compared case-insensitively) and type "classic" (v5+, TypesFilter).
 * COORDINATOR_LOAD_IN_PROGRESS while `__consumer_offsets` is being loaded.
 */
import { ListGroupsApi, type ListGroupsRequest, type ListGroupsResponse } from '@tributary/protocol/generated/index.ts';
import { listGroups } from '../group/index.ts';
import { defineHandler } from './registry.ts';

export const listGroupsHandler = defineHandler<ListGroupsRequest, ListGroupsResponse>({
  api: ListGroupsApi,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    const r = listGroups(ctx.broker.groups.coordinator, request.statesFilter ?? [], request.typesFilter ?? []);
    return { throttleTimeMs: 0, errorCode: r.errorCode, groups: r.groups };
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] };
  },
});
