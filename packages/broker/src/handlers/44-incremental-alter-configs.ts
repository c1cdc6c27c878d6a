/**
 * IncrementalAlterConfigs (key 44), versions 0-1.
 * Per resource, the operations apply to the current dynamic overrides: SET (0) sets the key,
 * DELETE (1) removes its override (the default applies again), APPEND (2) and SUBTRACT (3) add or
 * remove items of a list config such as cleanup.policy, starting from its current effective value
 * (APPEND skips items already present). The resulting set is validated as a whole (INVALID_CONFIG
 * naming the key) and stored; topic changes reach the open partition logs and survive restarts.
 * Resources: TOPIC, and BROKER ('<id>' of this broker or '' for the cluster default), with the same
 * rules as AlterConfigs. Errors: INVALID_REQUEST (unknown operation, null value for SET/APPEND/
 * SUBTRACT, a key or resource given twice, bad broker name), INVALID_CONFIG (unknown key, bad value,
 * APPEND/SUBTRACT on a non-list config), INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_OR_PARTITION.
 * validateOnly checks everything and changes nothing.
 * BROKER changes apply to the running broker at once (see 33-alter-configs.ts).
 * Not implemented: BROKER_LOGGER resources (INVALID_REQUEST); authorization; alter policies.
 */
import {
  IncrementalAlterConfigsApi,
  type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsRequestAlterConfigsResource, type IncrementalAlterConfigsResponse,
} from '@tributary/protocol/generated/index.ts';
import type { BrokerContext } from '../broker-context.ts';
import { BROKER_CONFIG_BY_NAME, formatConfigValue, TOPIC_CONFIG_BY_NAME, TopicConfig, type ConfigDef } from '../config/index.ts';
import { ErrorCode } from '../error-codes.ts';
import {
  alterEachResource, failure, resolveBrokerResource, ResourceType, success, writeBrokerOverrides, writeTopicOverrides,
  type Outcome, type Overrides,
} from './config-resources.ts';
import { defineHandler } from './registry.ts';

export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

type Resource = IncrementalAlterConfigsRequestAlterConfigsResource;

/** How to find a key's definition and its current effective text for one resource kind. */
interface KeySpace {
  def(name: string): ConfigDef | undefined;
  effective(current: Overrides, name: string): string | null;
}

function topicKeys(broker: BrokerContext): KeySpace {
  return {
    def: (name) => TOPIC_CONFIG_BY_NAME.get(name),
    effective: (current, name) => formatConfigValue(new TopicConfig(broker.config, current).get(name)),
  };
}

function brokerKeys(broker: BrokerContext, brokerId: number | null): KeySpace {
  return {
    def: (name) => BROKER_CONFIG_BY_NAME.get(name),
    effective: (current, name) => current[name] ?? broker.config.textBelow(name, brokerId),
  };
}

const splitList = (text: string | null): string[] =>
  text === null ? [] : text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

/** Applies the operations of one resource to `current`; returns the new complete override set. */
function applyOps(r: Resource, keys: KeySpace, current: Overrides): Outcome<Overrides> {
  const next: Record<string, string> = { ...current };
  const seen = new Set<string>();
  for (const c of r.configs) {
    if (seen.has(c.name)) return failure(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys: ${c.name}`);
    seen.add(c.name);
    if (c.configOperation === AlterConfigOp.DELETE) {
      delete next[c.name];
      continue;
    }
    if (c.configOperation < 0 || c.configOperation > AlterConfigOp.SUBTRACT) {
      return failure(ErrorCode.INVALID_REQUEST, `Unknown alter config operation ${c.configOperation} for ${c.name}`);
    }
    if (c.value == null) return failure(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`);
    if (c.configOperation === AlterConfigOp.SET) {
      next[c.name] = c.value;
      continue;
    }
    const def = keys.def(c.name);
    if (def === undefined) return failure(ErrorCode.INVALID_CONFIG, `Unknown config name: ${c.name}`);
    const verb = c.configOperation === AlterConfigOp.APPEND ? 'append' : 'subtract';
    if (def.type !== 'list') return failure(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${c.name}`);
    const old = next[c.name] !== undefined ? splitList(next[c.name]!) : splitList(keys.effective(next, c.name));
    const items = splitList(c.value);
    const updated = verb === 'append' ? [...old, ...items.filter((i) => !old.includes(i))] : old.filter((i) => !items.includes(i));
    next[c.name] = updated.join(',');
  }
  return success(next);
}

async function alterResource(broker: BrokerContext, r: Resource, validateOnly: boolean): Promise<Outcome> {
  switch (r.resourceType) {
    case ResourceType.TOPIC:
      return writeTopicOverrides(broker, r.resourceName, (current) => applyOps(r, topicKeys(broker), current), validateOnly);
    case ResourceType.BROKER: {
      const id = resolveBrokerResource(broker, r.resourceName);
      if (!id.ok) return id;
      return writeBrokerOverrides(broker, id.value, (current) => applyOps(r, brokerKeys(broker, id.value), current), validateOnly);
    }
    default:
      return failure(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${r.resourceType} for IncrementalAlterConfigs`);
  }
}

export const incrementalAlterConfigsHandler = defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  api: IncrementalAlterConfigsApi,
  minVersion: 0,
  maxVersion: 1,
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
