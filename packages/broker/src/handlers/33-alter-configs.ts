/**
 * AlterConfigs (key 33), versions 0-2 (the legacy, non-incremental API).
 * TOPIC resources: the entries replace the topic's whole set of dynamic overrides (keys left out
 * revert to the broker default; entries with a null value are ignored, as in Kafka). Every key and
 * value is validated first (INVALID_CONFIG naming the key); the new set is stored in the metadata
 * store (so it survives restarts) and pushed to the open partition logs.
 * BROKER resources ('<id>' of this broker, or '' for the cluster default): the entries replace that
 * level's dynamic broker overrides. Read-only keys (Kafka's update mode; e.g. num.partitions,
 * auto.create.topics.enable, log.retention.hours) are INVALID_REQUEST "Cannot update these configs
 * dynamically: <keys>"; unknown keys and bad values INVALID_CONFIG. Stored overrides survive
 * restarts and apply at once: precedence per-broker > cluster default > static > default, and every
 * topic without its own override of a changed `log.*` synonym follows (open logs included).
 * validateOnly checks everything and changes nothing. A resource listed twice is INVALID_REQUEST.
 * Not implemented: BROKER_LOGGER resources (INVALID_REQUEST); authorization; alter policies.
 */
import {
  AlterConfigsApi,
  type AlterConfigsRequest, type AlterConfigsRequestAlterConfigsResource, type AlterConfigsResponse,
} from '@tributary/protocol/generated/index.ts';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import {
  alterEachResource, failure, resolveBrokerResource, ResourceType, success, writeBrokerOverrides, writeTopicOverrides,
  type Outcome, type Overrides,
} from './config-resources.ts';
import { defineHandler } from './registry.ts';

type Resource = AlterConfigsRequestAlterConfigsResource;

/** The new override set: every entry with a value; a key given twice is INVALID_REQUEST. */
function replacementSet(r: Resource): Outcome<Overrides> {
  const next: Record<string, string> = {};
  const seen = new Set<string>();
  for (const c of r.configs) {
    if (seen.has(c.name)) return failure(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys: ${c.name}`);
    seen.add(c.name);
    if (c.value != null) next[c.name] = c.value;
  }
  return success(next);
}

async function alterResource(broker: BrokerContext, r: Resource, validateOnly: boolean): Promise<Outcome> {
  const replacement = replacementSet(r);
  if (!replacement.ok) return replacement;
  switch (r.resourceType) {
    case ResourceType.TOPIC:
      return writeTopicOverrides(broker, r.resourceName, () => replacement, validateOnly);
    case ResourceType.BROKER: {
      const id = resolveBrokerResource(broker, r.resourceName);
      if (!id.ok) return id;
      return writeBrokerOverrides(broker, id.value, () => replacement, validateOnly);
    }
    default:
      return failure(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType} for AlterConfigs`);
  }
}

export const alterConfigsHandler = defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  api: AlterConfigsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle(ctx, request) {
    const responses = await alterEachResource(request.resources, (r) => alterResource(ctx.broker, r, request.validateOnly));
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      responses: request.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })),
    };
  },
});
