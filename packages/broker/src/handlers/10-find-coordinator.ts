/**
 * FindCoordinator (key 10), versions 0-6 (v4+ batches keys in CoordinatorKeys).
 * - KeyType 0 (group): creates `__consumer_offsets` on first use, then answers with the current
 *   leader of the group's partition (abs(hashCode(groupId)) % offsets.topic.num.partitions) from
 *   the metadata store: this broker on a single node, any broker of a cluster (the coordinator
 *   follows partition leadership). COORDINATOR_NOT_AVAILABLE when the topic cannot be created,
 *   the partition has no leader or the leader is not registered (not alive).
 * - KeyType 1 (transaction): COORDINATOR_NOT_AVAILABLE until the transaction coordinator exists.
 * - Any other key type: INVALID_REQUEST.
 * v0 must stay in range: librdkafka 2.0.2 turns consumer groups (and LZ4) on only when FindCoordinator
 * v0 is advertised, and kafka-python always sends v0.
 * Not implemented: share-group keys (type 2), throttling.
 */
import {
  FindCoordinatorApi, type FindCoordinatorRequest, type FindCoordinatorResponse, type FindCoordinatorResponseCoordinator,
} from '@tributary/protocol/generated/index.ts';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import { CONSUMER_OFFSETS_TOPIC } from '../replica/index.ts';
import { defineHandler } from './registry.ts';

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;
const BATCHED_KEYS_VERSION_MIN = 4;

function failed(key: string, errorCode: number, errorMessage: string | null): FindCoordinatorResponseCoordinator {
  return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}

async function findOne(broker: BrokerContext, listenerName: string, key: string, keyType: number): Promise<FindCoordinatorResponseCoordinator> {
  if (keyType === KEY_TYPE_TRANSACTION) return failed(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The transaction coordinator is not available yet');
  if (keyType !== KEY_TYPE_GROUP) return failed(key, ErrorCode.INVALID_REQUEST, `Unknown coordinator key type ${keyType}`);
  const created = await broker.groups.store.log.ensureTopic();
  if (created !== ErrorCode.NONE) return failed(key, created, 'The coordinator is not available.');
  const state = broker.store.partitionState(CONSUMER_OFFSETS_TOPIC, broker.groups.store.partitionOf(key));
  const leader = state?.leader ?? -1;
  if (leader === broker.config.brokerId) {
    const ep = broker.advertisedEndpoint(listenerName);
    return { key, nodeId: leader, host: ep.host, port: ep.port, errorCode: ErrorCode.NONE, errorMessage: null };
  }
  const other = broker.store.brokers().find((b) => b.id === leader);
  if (other === undefined) return failed(key, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.');
  return { key, nodeId: other.id, host: other.host, port: other.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

function single(c: FindCoordinatorResponseCoordinator): FindCoordinatorResponse {
  return { throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: c.errorMessage ?? null, nodeId: c.nodeId, host: c.host, port: c.port, coordinators: [] };
}

export const findCoordinatorHandler = defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  api: FindCoordinatorApi,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, request, version) {
    const keyType = request.keyType ?? KEY_TYPE_GROUP;
    const listener = ctx.connection.listenerName;
    if (version >= BATCHED_KEYS_VERSION_MIN) {
      const coordinators: FindCoordinatorResponseCoordinator[] = [];
      for (const key of request.coordinatorKeys ?? []) coordinators.push(await findOne(ctx.broker, listener, key, keyType));
      return { throttleTimeMs: 0, coordinators };
    }
    return single(await findOne(ctx.broker, listener, request.key ?? '', keyType));
  },
  errorResponse(request, version, errorCode) {
    if (version >= BATCHED_KEYS_VERSION_MIN) {
      return { throttleTimeMs: 0, coordinators: (request.coordinatorKeys ?? []).map((k) => failed(k, errorCode, null)) };
    }
    return single(failed(request.key ?? '', errorCode, null));
  },
});
