/**
 * CreateTopics (key 19), versions 0-7. This single broker is always the controller.
 * Per topic: numPartitions / replicationFactor of -1 take num.partitions / default.replication.factor
 * (v4+ clients send -1); explicit assignments (partition indexes 0..n-1, each once) replace both,
 * which must then be -1. Configs are validated (INVALID_CONFIG naming the key; a null value is
 * INVALID_REQUEST). validateOnly checks everything and creates nothing.
 * Errors per topic, with errorMessage (v1+): INVALID_TOPIC_EXCEPTION (illegal or colliding name),
 * TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR (below 1, or above the live
 * brokers), INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG, INVALID_REQUEST (a name listed twice: every
 * copy fails, as in Kafka).
 * v5+ answers with the topic id (v7), numPartitions, replicationFactor and every resulting config
 * with its source (also for validateOnly, where the topic id is the zero UUID); -1 and no configs
 * on error.
 * Not implemented: timeoutMs (creation completes before the answer; Kafka's REQUEST_TIMED_OUT for
 * timeoutMs <= 0 is not reproduced), create-topic policies, controller mutation quotas
 * (THROTTLING_QUOTA_EXCEEDED), authorization.
 */
import { ZERO_UUID } from '@tributary/protocol';
import {
  CreateTopicsApi,
  type CreateTopicsRequest, type CreateTopicsRequestCreatableTopic, type CreateTopicsResponse, type CreateTopicsResponseCreatableTopicResult,
} from '@tributary/protocol/generated/index.ts';
import type { BrokerContext } from '../broker-context.ts';
import { describeTopicConfigs } from '../config/index.ts';
import { ErrorCode } from '../error-codes.ts';
import type { TopicRecord } from '../metadata/index.ts';
import type { CreateTopicRequest } from '../replica/index.ts';
import { failure, success, type Outcome } from './config-resources.ts';
import { defineHandler } from './registry.ts';

type Topic = CreateTopicsRequestCreatableTopic;
type Result = CreateTopicsResponseCreatableTopicResult;

function failed(name: string, errorCode: number, message: string | null): Result {
  return { name, errorCode, errorMessage: message, topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] };
}

/** The request entry as a TopicManager request, or the request-shape problem. */
function toCreateRequest(t: Topic, validateOnly: boolean): Outcome<CreateTopicRequest> {
  const configs: Record<string, string> = {};
  for (const c of t.configs) {
    if (c.value == null) return failure(ErrorCode.INVALID_REQUEST, `Null value not supported for topic configs: ${c.name}`);
    if (c.name in configs) return failure(ErrorCode.INVALID_REQUEST, `Duplicate topic config: ${c.name}`);
    configs[c.name] = c.value;
  }
  if (t.assignments.length === 0) {
    return success({ name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, configs, validateOnly });
  }
  if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
    return failure(ErrorCode.INVALID_REQUEST,
      'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
  }
  const assignments: number[][] = [];
  for (const a of t.assignments) {
    if (a.partitionIndex < 0 || a.partitionIndex >= t.assignments.length || assignments[a.partitionIndex] !== undefined) {
      return failure(ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Partitions should be consecutive integers starting from 0, and each listed once: got ${a.partitionIndex}.`);
    }
    assignments[a.partitionIndex] = a.brokerIds;
  }
  return success({ name: t.name, assignments, configs, validateOnly });
}

function created(broker: BrokerContext, record: TopicRecord, configs: Readonly<Record<string, string>>, version: number): Result {
  const result: Result = { name: record.name, errorCode: ErrorCode.NONE, errorMessage: null };
  if (version < 5) return result;
  result.topicId = record.topicId === '' ? ZERO_UUID : record.topicId;
  result.topicConfigErrorCode = ErrorCode.NONE;
  result.numPartitions = record.assignments.length;
  result.replicationFactor = record.assignments[0]?.length ?? -1;
  result.configs = describeTopicConfigs(broker.config, configs).map((c) => ({
    name: c.name, value: c.isSensitive ? null : c.value, readOnly: c.readOnly, configSource: c.source, isSensitive: c.isSensitive,
  }));
  return result;
}

async function createOne(broker: BrokerContext, t: Topic, validateOnly: boolean, version: number): Promise<Result> {
  const req = toCreateRequest(t, validateOnly);
  if (!req.ok) return failed(t.name, req.errorCode, req.message);
  const outcome = await broker.topics.createTopic(req.value);
  if (!outcome.ok) return failed(t.name, outcome.errorCode, outcome.message);
  if (!validateOnly) broker.log.info('created topic', { topic: t.name, partitions: outcome.topic.assignments.length });
  return created(broker, outcome.topic, req.value.configs ?? {}, version);
}

export const createTopicsHandler = defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  api: CreateTopicsApi,
  minVersion: 0,
  maxVersion: 7,
  async handle(ctx, request, version) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics: Result[] = [];
    for (const t of request.topics) {
      topics.push(counts.get(t.name)! > 1
        ? failed(t.name, ErrorCode.INVALID_REQUEST, 'Create topics request from client contains a duplicate topic name')
        : await createOne(ctx.broker, t, request.validateOnly === true, version));
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(request, _version, errorCode) {
    return { throttleTimeMs: 0, topics: request.topics.map((t) => failed(t.name, errorCode, null)) };
  },
});
