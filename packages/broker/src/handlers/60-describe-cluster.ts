/**
 * DescribeCluster (key 60), versions 0-1.
 * Answers the cluster id, the controller (this broker: a single node is its own controller) and the
 * registered brokers with host, port and rack; this broker is reported with the endpoint of the
 * listener the request came in on. v1: endpointType 1 (brokers) is served; 2 (controllers) is
 * MISMATCHED_ENDPOINT_TYPE, as a Kafka broker answers; other values UNSUPPORTED_ENDPOINT_TYPE.
 * clusterAuthorizedOperations: INT32_MIN unless asked; when asked, every cluster operation (there
 * is no authorizer).
 * Not implemented: authorization.
 */
import {
  DescribeClusterApi, type DescribeClusterRequest, type DescribeClusterResponse,
} from '@tributary/protocol/generated/index.ts';
import { ErrorCode } from '../error-codes.ts';
import { defineHandler } from './registry.ts';

export const EndpointType = { BROKER: 1, CONTROLLER: 2 } as const;
/** "Authorized operations not requested" (Kafka's Integer.MIN_VALUE). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** AclOperation codes allowed on the cluster resource: CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. */
const CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);

function endpointError(endpointType: number): { errorCode: number; errorMessage: string } | null {
  if (endpointType === EndpointType.BROKER) return null;
  if (endpointType === EndpointType.CONTROLLER) {
    return { errorCode: ErrorCode.MISMATCHED_ENDPOINT_TYPE, errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER' };
  }
  return { errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: `Unsupported endpoint type ${endpointType}` };
}

export const describeClusterHandler = defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  api: DescribeClusterApi,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, request, version) {
    const broker = ctx.broker;
    const error = version >= 1 ? endpointError(request.endpointType ?? EndpointType.BROKER) : null;
    if (error !== null) {
      return { throttleTimeMs: 0, ...error, endpointType: EndpointType.BROKER, clusterId: '', controllerId: -1, brokers: [],
        clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: EndpointType.BROKER,
      clusterId: broker.store.clusterId(),
      controllerId: broker.store.controllerId(),
      brokers: broker.store.brokers().map((b) => {
        const ep = b.id === broker.config.brokerId ? broker.advertisedEndpoint(ctx.connection.listenerName) : b;
        return { brokerId: b.id, host: ep.host, port: ep.port, rack: b.rack };
      }),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
  errorResponse(_request, _version, errorCode) {
    return {
      throttleTimeMs: 0, errorCode, errorMessage: null, endpointType: EndpointType.BROKER, clusterId: '', controllerId: -1, brokers: [],
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
});
