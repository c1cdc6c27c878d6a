/**
 * CreatePartitions (key 37), versions 0-3. This single broker is always the controller.
 * Per topic: grows the topic to `count` partitions, placing the new ones round-robin with the
 * topic's replication factor, or as given in `assignments` (one replica list per new partition).
 * New partition logs are opened by the ReplicaManager before the answer. validateOnly checks
 * everything and changes nothing.
 * Errors per topic, with errorMessage: UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS (count not
 * above the current one, or too large), INVALID_REPLICA_ASSIGNMENT (wrong number of lists, unknown
 * or duplicated brokers), INVALID_TOPIC_EXCEPTION (illegal name), INVALID_REQUEST (topic listed twice).
 * Not implemented: timeoutMs (done before the answer), controller mutation quotas, authorization.
 */
import {
  CreatePartitionsApi,
  type CreatePartitionsRequest, type CreatePartitionsRequestCreatePartitionsTopic, type CreatePartitionsResponse,
  type CreatePartitionsResponseCreatePartitionsTopicResult,
} from '@tributary/protocol/generated/index.ts';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import { topicNameProblem } from '../replica/index.ts';
import { defineHandler } from './registry.ts';

type Topic = CreatePartitionsRequestCreatePartitionsTopic;
type Result = CreatePartitionsResponseCreatePartitionsTopicResult;

const result = (name: string, errorCode: number, errorMessage: string | null): Result => ({ name, errorCode, errorMessage });

async function growTopic(broker: BrokerContext, t: Topic, validateOnly: boolean): Promise<Result> {
  const problem = topicNameProblem(t.name);
  if (problem !== undefined) return result(t.name, ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  const assignments = t.assignments == null ? undefined : t.assignments.map((a) => a.brokerIds);
  const outcome = await broker.topics.createPartitions(t.name, t.count, assignments, validateOnly);
  if (!outcome.ok) return result(t.name, outcome.errorCode, outcome.message);
  if (!validateOnly) broker.log.info('added partitions', { topic: t.name, partitions: t.count });
  return result(t.name, ErrorCode.NONE, null);
}

export const createPartitionsHandler = defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  api: CreatePartitionsApi,
  minVersion: 0,
  maxVersion: 3,
  async handle(ctx, request) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: Result[] = [];
    for (const t of request.topics) {
      results.push(counts.get(t.name)! > 1
        ? result(t.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic in the request.')
        : await growTopic(ctx.broker, t, request.validateOnly));
    }
    return { throttleTimeMs: 0, results };
  },
  errorResponse(request, _version, errorCode) {
    return { throttleTimeMs: 0, results: request.topics.map((t) => result(t.name, errorCode, null)) };
  },
});
