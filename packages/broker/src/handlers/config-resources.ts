/**
 * Config resources shared by DescribeConfigs (32), AlterConfigs (33) and IncrementalAlterConfigs
 * (44): resolving a TOPIC or BROKER resource, describing broker configs with their sources, and
 * read-validate-write of topic overrides and dynamic broker overrides in the metadata store.
 *
 * Topic overrides take effect on open logs through the store's `topic-config` event (the
 * ReplicaManager calls PartitionLog.updateConfig). Dynamic broker overrides take effect through the
 * store's `broker-config` event: `followDynamicBrokerConfig` re-layers the BrokerConfig and the
 * ReplicaManager recomputes every topic's config, so topics without their own override follow.
 */
import {
  BROKER_CONFIG_BY_NAME, BROKER_CONFIGS, ConfigError, ConfigSource, dynamicUpdateProblem, parseConfigValue, validateTopicConfigs,
  type ConfigType, type DescribedConfig,
} from '../config/index.ts';
import type { BrokerContext } from '../broker-context.ts';
import { ErrorCode } from '../error-codes.ts';
import { MetadataError } from '../metadata/index.ts';
import { topicNameProblem } from '../replica/index.ts';

/** ConfigResource.Type codes (Kafka's org.apache.kafka.common.config.ConfigResource). */
export const ResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** DescribeConfigs v3+ ConfigType codes. */
export const CONFIG_TYPE_CODE: Readonly<Record<ConfigType, number>> = {
  boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, password: 9,
};

/** Attempts at a read-modify-write of topic overrides that lost a compare-and-set race. */
const CONFIG_WRITE_ATTEMPTS_MAX = 5;

export type Overrides = Readonly<Record<string, string>>;

export type Outcome<T = undefined> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errorCode: number; readonly message: string };

export const failure = (errorCode: number, message: string): Outcome<never> => ({ ok: false, errorCode, message });
export const success = <T>(value: T): Outcome<T> => ({ ok: true, value });

/** A TOPIC resource that must exist: INVALID_TOPIC_EXCEPTION or UNKNOWN_TOPIC_OR_PARTITION otherwise. */
export function resolveTopicResource(broker: BrokerContext, name: string): Outcome {
  const problem = topicNameProblem(name);
  if (problem !== undefined) return failure(ErrorCode.INVALID_TOPIC_EXCEPTION, problem);
  if (broker.store.topic(name) === undefined) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist.`);
  return success(undefined);
}

/**
 * A BROKER resource: this broker's id, or '' for the cluster-wide default (null), as Kafka's
 * ConfigHelper; any other name is INVALID_REQUEST.
 */
export function resolveBrokerResource(broker: BrokerContext, name: string): Outcome<number | null> {
  if (name === '') return success(null);
  const id = /^-?\d+$/.test(name) ? Number(name) : NaN;
  if (Number.isNaN(id)) return failure(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
  if (id !== broker.config.brokerId) {
    return failure(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${broker.config.brokerId} or empty string, but received ${name}`);
  }
  return success(id);
}

/**
 * Broker configs as DescribeConfigs reports them, from the running broker's layers: every key for
 * this broker's id; only the keys with a cluster-wide dynamic value for the '' resource
 * (brokerId null), without this broker's own layer, as Kafka does. A key's value and source are
 * its own first layer; synonyms also list the keys it derives from (log.retention.hours, ...).
 */
export function describeBrokerConfigs(broker: BrokerContext, brokerId: number | null): DescribedConfig[] {
  const perBroker = brokerId !== null;
  const clusterDefault = (name: string): boolean =>
    broker.config.synonyms(name, false).some((s) => s.name === name && s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  const defs = perBroker ? BROKER_CONFIGS : BROKER_CONFIGS.filter((d) => clusterDefault(d.name));
  return defs.map((d) => {
    const sensitive = d.type === 'password';
    const synonyms = broker.config.synonyms(d.name, perBroker).map((s) => (sensitive ? { ...s, value: null } : s));
    const own = synonyms.find((s) => s.name === d.name);
    return {
      name: d.name,
      value: own?.value ?? null,
      source: own?.source ?? ConfigSource.DEFAULT_CONFIG,
      readOnly: d.updateMode === 'read-only',
      isSensitive: sensitive,
      type: d.type,
      documentation: d.doc,
      synonyms,
    };
  });
}

/**
 * Checks dynamic broker overrides: known keys (INVALID_CONFIG), dynamically updatable at this level
 * (INVALID_REQUEST naming every key that is not, as Kafka's "Cannot update these configs
 * dynamically"), valid values (INVALID_CONFIG naming the key).
 */
export function validateBrokerOverrides(brokerId: number | null, overrides: Overrides): Outcome {
  const notDynamic: string[] = [];
  const notAtDefault: string[] = [];
  for (const key of Object.keys(overrides)) {
    const d = BROKER_CONFIG_BY_NAME.get(key);
    if (d === undefined) return failure(ErrorCode.INVALID_CONFIG, `Unknown broker configuration ${key}`);
    if (d.updateMode === 'read-only') notDynamic.push(key);
    else if (dynamicUpdateProblem(d, brokerId === null) !== undefined) notAtDefault.push(key);
  }
  if (notDynamic.length > 0) return failure(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: ${notDynamic.join(', ')}`);
  if (notAtDefault.length > 0) {
    return failure(ErrorCode.INVALID_REQUEST,
      `Cannot update these configs at default cluster level, broker id must be specified: ${notAtDefault.join(', ')}`);
  }
  for (const [key, text] of Object.entries(overrides)) {
    try {
      parseConfigValue(BROKER_CONFIG_BY_NAME.get(key)!, text);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return failure(ErrorCode.INVALID_CONFIG, e.message);
    }
  }
  return success(undefined);
}

/** Validates and (unless validateOnly) stores the complete set of dynamic overrides of a broker resource. */
export async function writeBrokerOverrides(
  broker: BrokerContext, brokerId: number | null, next: (current: Overrides) => Outcome<Overrides>, validateOnly: boolean,
): Promise<Outcome> {
  const computed = next(broker.store.brokerConfigOverrides(brokerId));
  if (!computed.ok) return computed;
  const valid = validateBrokerOverrides(brokerId, computed.value);
  if (!valid.ok || validateOnly) return valid;
  await broker.store.setBrokerConfigOverrides(brokerId, computed.value);
  broker.log.info('dynamic broker config updated', { brokerId: brokerId ?? '<default>', keys: Object.keys(computed.value) });
  return success(undefined);
}

/**
 * Validates and (unless validateOnly) stores the complete set of overrides of an existing topic,
 * computed from the current set by `next`; retried when another writer got in between.
 */
export async function writeTopicOverrides(
  broker: BrokerContext, topic: string, next: (current: Overrides) => Outcome<Overrides>, validateOnly: boolean,
): Promise<Outcome> {
  for (let attempt = 1; ; attempt++) {
    const resolved = resolveTopicResource(broker, topic);
    if (!resolved.ok) return resolved;
    const current = broker.store.topicConfig(topic) ?? { configs: {}, version: -1 };
    const computed = next(current.configs);
    if (!computed.ok) return computed;
    const valid = validateTopicConfigs(Object.entries(computed.value), broker.config);
    if (!valid.ok) return failure(valid.errorCode, valid.message);
    if (validateOnly) return success(undefined);
    try {
      await broker.store.setTopicConfig(topic, computed.value, current.version < 0 ? undefined : current.version);
      return success(undefined);
    } catch (e) {
      if (!(e instanceof MetadataError)) throw e;
      if (e.code === 'UNKNOWN_TOPIC') return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${topic} does not exist.`);
      if (e.code !== 'BAD_VERSION' || attempt >= CONFIG_WRITE_ATTEMPTS_MAX) throw e;
    }
  }
}

/** Kafka answers every copy of a resource listed twice with INVALID_REQUEST. */
export function duplicateResourceKeys(resources: readonly { resourceType: number; resourceName: string }[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const r of resources) {
    const k = resourceKey(r.resourceType, r.resourceName);
    if (seen.has(k)) dup.add(k);
    seen.add(k);
  }
  return dup;
}

export function resourceKey(resourceType: number, resourceName: string): string {
  return `${resourceType}:${resourceName}`;
}

interface ResourceResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * Applies `alter` to each resource in request order, as AlterConfigs and IncrementalAlterConfigs
 * both do; a resource named twice in one request fails every copy with INVALID_REQUEST.
 */
export async function alterEachResource<R extends { resourceType: number; resourceName: string }>(
  resources: readonly R[], alter: (r: R) => Promise<Outcome>,
): Promise<ResourceResult[]> {
  const dup = duplicateResourceKeys(resources);
  const results: ResourceResult[] = [];
  for (const r of resources) {
    const outcome = dup.has(resourceKey(r.resourceType, r.resourceName))
      ? failure(ErrorCode.INVALID_REQUEST, `Error due to duplicate resource: ${r.resourceName}`)
      : await alter(r);
    results.push({
      errorCode: outcome.ok ? ErrorCode.NONE : outcome.errorCode,
      errorMessage: outcome.ok ? null : outcome.message,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    });
  }
  return results;
}
