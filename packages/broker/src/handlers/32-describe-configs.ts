/**
 * DescribeConfigs (key 32), versions 0-4.
 * TOPIC resources: every topic config with its effective value and source: DYNAMIC_TOPIC_CONFIG for
 * an override, else the source of the broker synonym's effective value (DYNAMIC_BROKER_CONFIG,
 * DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG); synonyms list the override,
 * then every layer of the broker `log.*` key (and the keys it derives from) in precedence order.
 * BROKER resources: this broker's id gives every broker config with its effective value and source
 * (per-broker dynamic > cluster-wide dynamic > static > default; read-only unless the key is
 * dynamically updatable); '' gives only the cluster-wide dynamic defaults; another id is
 * INVALID_REQUEST. `configurationKeys` filters (unknown keys are left out); synonyms only with
 * includeSynonyms (v1+); documentation only with includeDocumentation (v3+); v0 reports isDefault.
 * Errors per resource: INVALID_TOPIC_EXCEPTION, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST
 * (bad broker name, unsupported resource type).
 * Not implemented: BROKER_LOGGER resources (INVALID_REQUEST), authorization.
 */
import {
  DescribeConfigsApi,
  type DescribeConfigsRequest, type DescribeConfigsRequestDescribeConfigsResource, type DescribeConfigsResponse,
  type DescribeConfigsResponseDescribeConfigsResourceResult, type DescribeConfigsResponseDescribeConfigsResult,
} from '@tributary/protocol/generated/index.ts';
import type { BrokerContext } from '../broker-context.ts';
import { ConfigSource, describeTopicConfigs, type DescribedConfig } from '../config/index.ts';
import { ErrorCode } from '../error-codes.ts';
import { CONFIG_TYPE_CODE, describeBrokerConfigs, resolveBrokerResource, resolveTopicResource, ResourceType, type Outcome } from './config-resources.ts';
import { defineHandler } from './registry.ts';

type Resource = DescribeConfigsRequestDescribeConfigsResource;
type Result = DescribeConfigsResponseDescribeConfigsResult;
type Entry = DescribeConfigsResponseDescribeConfigsResourceResult;

interface Options { readonly version: number; readonly synonyms: boolean; readonly documentation: boolean }

function describeResource(broker: BrokerContext, r: Resource): Outcome<DescribedConfig[]> {
  switch (r.resourceType) {
    case ResourceType.TOPIC: {
      const found = resolveTopicResource(broker, r.resourceName);
      if (!found.ok) return found;
      const overrides = broker.store.topicConfig(r.resourceName)?.configs ?? {};
      return { ok: true, value: describeTopicConfigs(broker.config, overrides) };
    }
    case ResourceType.BROKER: {
      const id = resolveBrokerResource(broker, r.resourceName);
      if (!id.ok) return id;
      return { ok: true, value: describeBrokerConfigs(broker, id.value) };
    }
    default:
      return { ok: false, errorCode: ErrorCode.INVALID_REQUEST, message: `Unsupported resource type ${r.resourceType} for DescribeConfigs` };
  }
}

function toEntry(c: DescribedConfig, opts: Options): Entry {
  const entry: Entry = {
    name: c.name,
    value: c.isSensitive ? null : c.value,
    readOnly: c.readOnly,
    isSensitive: c.isSensitive,
    configSource: c.source,
    synonyms: opts.synonyms ? c.synonyms.map((s) => ({ name: s.name, value: c.isSensitive ? null : s.value, source: s.source })) : [],
    configType: CONFIG_TYPE_CODE[c.type as keyof typeof CONFIG_TYPE_CODE] ?? 0,
    documentation: opts.documentation ? c.documentation : null,
  };
  if (opts.version === 0) entry.isDefault = c.source === ConfigSource.DEFAULT_CONFIG;
  return entry;
}

function result(broker: BrokerContext, r: Resource, opts: Options): Result {
  const described = describeResource(broker, r);
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  if (!described.ok) return { ...base, errorCode: described.errorCode, errorMessage: described.message, configs: [] };
  const keys = r.configurationKeys == null ? null : new Set(r.configurationKeys);
  const configs = described.value.filter((c) => keys === null || keys.has(c.name)).map((c) => toEntry(c, opts));
  return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
}

export const describeConfigsHandler = defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  api: DescribeConfigsApi,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx, request, version) {
    const opts: Options = {
      version,
      synonyms: version >= 1 && request.includeSynonyms === true,
      documentation: version >= 3 && request.includeDocumentation === true,
    };
    return { throttleTimeMs: 0, results: request.resources.map((r) => result(ctx.broker, r, opts)) };
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      results: request.resources.map((r) => ({
        errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [],
      })),
    };
  },
});
