/**
 * DescribeGroups (key 15), versions 0-5. State names as Kafka's ("Empty", "PreparingRebalance",
 * "CompletingRebalance", "Stable", "Dead"); an unknown group is described as "Dead" with no error
 * (Kafka's behaviour up to v5). Members carry their metadata and assignment bytes when the group
 * is Stable (empty otherwise, as Kafka does); ProtocolData is the selected protocol.
 * Not implemented: authorized operations (reported as Kafka's "not requested" INT32_MIN).
 */
import { DescribeGroupsApi, type DescribeGroupsRequest, type DescribeGroupsResponse } from '@tributary/protocol/generated/index.ts';
import { describeGroup } from '../group/index.ts';
import { defineHandler } from './registry.ts';

const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

export const describeGroupsHandler = defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  api: DescribeGroupsApi,
  minVersion: 0,
  maxVersion: 5,
  handle(ctx, request) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((id) => ({ ...describeGroup(ctx.broker.groups.coordinator, id), authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED })),
    };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => ({
        errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      })),
    };
  },
});
