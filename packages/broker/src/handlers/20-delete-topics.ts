/**
 * DeleteTopics (key 20), versions 0-6. This single broker is always the controller.
 * v0-5 name topics in `topicNames`; v6 sends `topics`, each with a name or a topic id (not both:
 * INVALID_REQUEST). Deletion removes the topic from the metadata store; the ReplicaManager then
 * deletes the partition logs from disk. The answer comes after both.
 * Errors per topic, with errorMessage (v5+): UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID (v6),
 * TOPIC_DELETION_DISABLED (delete.topic.enable=false; INVALID_REQUEST below v3, as Kafka), INVALID_TOPIC_EXCEPTION (internal topics
 * such as __consumer_offsets cannot be deleted), INVALID_REQUEST (a topic listed twice).
 * v6 answers with both the name and the topic id where known.
 * Not implemented: timeoutMs (deletion is done before the answer), controller mutation quotas,
 * authorization.
 */
import { ZERO_UUID } from '@tributary/protocol';
import {
  DeleteTopicsApi,
  type DeleteTopicsRequest, type DeleteTopicsResponse, type DeleteTopicsResponseDeletableTopicResult,
} from '@tributary/protocol/generated/index.ts';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import { isInternalTopic } from '../replica/index.ts';
import { defineHandler } from './registry.ts';

type Result = DeleteTopicsResponseDeletableTopicResult;

/** One topic to delete, as the request named it. */
interface Target { readonly name: string | null; readonly topicId: string }

function targets(request: DeleteTopicsRequest, version: number): Target[] {
  if (version >= 6) return (request.topics ?? []).map((t) => ({ name: t.name ?? null, topicId: t.topicId }));
  return (request.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
}

const result = (t: Target, errorCode: number, errorMessage: string | null): Result =>
  ({ name: t.name, topicId: t.topicId, errorCode, errorMessage });

async function deleteOne(broker: BrokerContext, t: Target, version: number): Promise<Result> {
  if (!broker.config.bool('delete.topic.enable')) {
    // Kafka answers v0-2 (which predate the error code) with INVALID_REQUEST.
    return result(t, version < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
  }
  const byId = t.topicId !== ZERO_UUID;
  if (byId && t.name !== null) return result(t, ErrorCode.INVALID_REQUEST, 'A topic must be named by name or by id, not both.');
  if (!byId && t.name === null) return result(t, ErrorCode.INVALID_REQUEST, 'A topic must be named by name or by id.');
  const record = byId ? broker.store.topicById(t.topicId) : broker.store.topic(t.name!);
  if (record === undefined) {
    return byId
      ? result(t, ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${t.topicId} does not exist.`)
      : result(t, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${t.name} does not exist.`);
  }
  const named = { name: record.name, topicId: record.topicId };
  if (isInternalTopic(record.name)) {
    return result(named, ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic ${record.name} is a Kafka internal topic and is not allowed to be deleted.`);
  }
  const outcome = await broker.topics.deleteTopic(record.name);
  if (!outcome.ok) return result(named, outcome.errorCode, outcome.message);
  broker.log.info('deleted topic', { topic: record.name, topicId: record.topicId });
  return result(named, ErrorCode.NONE, null);
}

export const deleteTopicsHandler = defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  api: DeleteTopicsApi,
  minVersion: 0,
  maxVersion: 6,
  async handle(ctx, request, version) {
    const all = targets(request, version);
    const keyOf = (t: Target): string => (t.topicId !== ZERO_UUID ? `id:${t.topicId}` : `name:${t.name}`);
    const counts = new Map<string, number>();
    for (const t of all) counts.set(keyOf(t), (counts.get(keyOf(t)) ?? 0) + 1);
    const responses: Result[] = [];
    for (const t of all) {
      responses.push(counts.get(keyOf(t))! > 1
        ? result(t, ErrorCode.INVALID_REQUEST, 'Duplicate topic in the request.')
        : await deleteOne(ctx.broker, t, version));
    }
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, version, errorCode) {
    return { throttleTimeMs: 0, responses: targets(request, version).map((t) => result(t, errorCode, null)) };
  },
});
