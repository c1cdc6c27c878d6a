/**
 * Metadata (key 3), versions 0-12.
 * - Topics: null (v1+) or, in v0, an empty list means all topics; otherwise the named ones (v10+
 *   entries may name a topic by id instead; an unknown id is UNKNOWN_TOPIC_ID).
 * - Auto-creation: an unknown, validly named topic is created with broker defaults when the
 *   request allows it (v4+ AllowAutoTopicCreation; always allowed before v4) and
 *   auto.create.topics.enable is true; it is then reported once with LEADER_NOT_AVAILABLE, as Kafka
 *   does. Illegal names give INVALID_TOPIC_EXCEPTION, unknown topics UNKNOWN_TOPIC_OR_PARTITION.
 * - Brokers: every live (registered) broker with its rack; this broker carries the advertised
 *   endpoint of the listener the request came in on. The controller id is the store's (-1 while
 *   none is elected); any broker accepts CreateTopics etc. (writes go to the shared store).
 * - Partitions: leader, leader epoch, replicas, ISR, and offline replicas (replicas on brokers that
 *   are not registered); a partition without a leader is LEADER_NOT_AVAILABLE.
 * Not implemented: authorized operations (reported as -2147483648, "not requested").
 */
import {
  MetadataApi, type MetadataRequest, type MetadataResponse, type MetadataResponseMetadataResponseTopic,
} from '@tributary/protocol/generated/index.ts';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import type { TopicRecord } from '../metadata/index.ts';
import { isInternalTopic, topicNameProblem } from '../replica/index.ts';
import { defineHandler } from './registry.ts';

/** Kafka's "authorized operations not requested" marker. */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
/** Version that added AllowAutoTopicCreation; older requests always allow it. */
const AUTO_CREATE_FLAG_VERSION = 4;

function topicResponse(broker: BrokerContext, t: TopicRecord): MetadataResponseMetadataResponseTopic {
  const live = new Set(broker.store.brokers().map((b) => b.id));
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: isInternalTopic(t.name),
    partitions: t.assignments.map((replicas, p) => {
      const state = broker.store.partitionState(t.name, p);
      return {
        errorCode: state === undefined || state.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
        partitionIndex: p,
        leaderId: state?.leader ?? -1,
        leaderEpoch: state?.leaderEpoch ?? -1,
        replicaNodes: [...replicas],
        isrNodes: [...(state?.isr ?? [])],
        offlineReplicas: replicas.filter((r) => !live.has(r)),
      };
    }),
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function errorTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseMetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

async function namedTopic(broker: BrokerContext, name: string, allowAutoCreate: boolean): Promise<MetadataResponseMetadataResponseTopic> {
  const existing = broker.store.topic(name);
  if (existing !== undefined) return topicResponse(broker, existing);
  if (topicNameProblem(name) !== undefined) return errorTopic(name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION);
  if (!allowAutoCreate || !broker.topics.autoCreateEnabled) return errorTopic(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const created = await broker.topics.autoCreateTopic(name);
  if (!created.ok) {
    // Lost a race with another creator: report what exists now.
    const now = broker.store.topic(name);
    if (now !== undefined) return topicResponse(broker, now);
    broker.log.warn('auto-creation failed', { topic: name, errorCode: created.errorCode, message: created.message });
    return errorTopic(name, ZERO_UUID, created.errorCode);
  }
  broker.log.info('auto-created topic', { topic: name, partitions: created.topic.assignments.length });
  return errorTopic(name, created.topic.topicId, ErrorCode.LEADER_NOT_AVAILABLE);
}

export const metadataHandler = defineHandler<MetadataRequest, MetadataResponse>({
  api: MetadataApi,
  minVersion: 0,
  maxVersion: 12,
  async handle(ctx, request, version) {
    const { broker } = ctx;
    const allTopics = request.topics === null || request.topics === undefined || (version === 0 && request.topics.length === 0);
    const allowAutoCreate = version < AUTO_CREATE_FLAG_VERSION || request.allowAutoTopicCreation !== false;
    const topics: MetadataResponseMetadataResponseTopic[] = [];
    if (allTopics) {
      for (const t of broker.store.topics()) topics.push(topicResponse(broker, t));
    } else {
      for (const wanted of request.topics ?? []) {
        if (wanted.name === null || wanted.name === undefined) {
          const byId = wanted.topicId === undefined ? undefined : broker.store.topicById(wanted.topicId);
          topics.push(byId === undefined ? errorTopic(null, wanted.topicId ?? ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_ID) : topicResponse(broker, byId));
        } else {
          topics.push(await namedTopic(broker, wanted.name, allowAutoCreate));
        }
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: broker.store.brokers().map((b) => {
        const ep = b.id === broker.config.brokerId ? broker.advertisedEndpoint(ctx.connection.listenerName) : b;
        return { nodeId: b.id, host: ep.host, port: ep.port, rack: b.rack };
      }),
      clusterId: broker.store.clusterId(),
      controllerId: broker.store.controllerId(),
      topics,
      clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
  errorResponse(request, _version, errorCode) {
    return {
      brokers: [],
      topics: (request.topics ?? []).map((t) => errorTopic(t.name ?? null, t.topicId ?? ZERO_UUID, errorCode)),
    };
  },
});
