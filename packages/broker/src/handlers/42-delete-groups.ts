/**
 * DeleteGroups (key 42), versions 0-2. Per group: GROUP_ID_NOT_FOUND for an unknown group,
 * NON_EMPTY_GROUP while it has members, INVALID_GROUP_ID for ""; otherwise tombstones for its
 * offsets and metadata are written to `__consumer_offsets` and the group is gone.
 */
import { DeleteGroupsApi, type DeleteGroupsRequest, type DeleteGroupsResponse } from '@tributary/protocol/generated/index.ts';
import { deleteGroup } from '../group/index.ts';
import { defineHandler } from './registry.ts';

export const deleteGroupsHandler = defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  api: DeleteGroupsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const results: DeleteGroupsResponse['results'] = [];
    for (const groupId of request.groupsNames) results.push({ groupId, errorCode: await deleteGroup(ctx.broker.groups.coordinator, groupId) });
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, _version, errorCode) {
    return { throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) };
  },
});
