/**
 * The Schema Registry's settings in `tributary start`'s properties namespace. Confluent's own
 * names would clash with the broker's (`listeners`), so every registry key is Confluent's name
 * under `schema.registry.` (`schema.registry.group.id` is Confluent's name as it stands). The CLI
 * splits these keys off before the broker's parser sees the rest, and checks them here: an unknown
 * `schema.registry.*` key or a bad value is a usage error naming the key.
 */
import { COMPATIBILITY_LEVELS, type CompatibilityLevel } from '@tributary/registry/schema/types.ts';
import { UsageError } from './args.ts';

export const REGISTRY_PREFIX = 'schema.registry.';
export const DEFAULT_REGISTRY_LISTENERS = 'http://0.0.0.0:8081';
/** Kafka's limit on topic name length. */
const TOPIC_NAME_CHARS_MAX = 249;
const REPLICATION_FACTOR_MAX = 32_767;

export interface RegistryConfigDef {
  readonly name: string;
  readonly type: 'string' | 'boolean' | 'int' | 'list';
  /** Shown in the README; null when the default is derived (see doc). */
  readonly defaultText: string | null;
  readonly doc: string;
}

export const REGISTRY_CONFIGS: readonly RegistryConfigDef[] = [
  { name: 'schema.registry.listeners', type: 'list', defaultText: DEFAULT_REGISTRY_LISTENERS,
    doc: 'Where the Schema Registry REST API listens (Confluent `listeners`); the first http:// URL is used; port 0 picks a free port.' },
  { name: 'schema.registry.kafkastore.bootstrap.servers', type: 'list', defaultText: null,
    doc: 'Brokers holding the registry\'s topic (Confluent `kafkastore.bootstrap.servers`, `PLAINTEXT://` prefixes accepted). Default: this process\'s broker, or `--bootstrap-server` with `--roles registry`.' },
  { name: 'schema.registry.kafkastore.topic', type: 'string', defaultText: '_schemas',
    doc: 'Compacted topic that stores schemas and configs (Confluent `kafkastore.topic`).' },
  { name: 'schema.registry.kafkastore.topic.replication.factor', type: 'int', defaultText: null,
    doc: 'Replication factor when the registry creates its topic (Confluent `kafkastore.topic.replication.factor`). Default: min(3, live brokers).' },
  { name: 'schema.registry.host.name', type: 'string', defaultText: null,
    doc: 'Host other registry instances use to forward writes here (Confluent `host.name`). Default: the listener host, or 127.0.0.1 for 0.0.0.0.' },
  { name: 'schema.registry.leader.eligibility', type: 'boolean', defaultText: 'true',
    doc: 'Whether this instance may be elected leader (Confluent `leader.eligibility`).' },
  { name: 'schema.registry.group.id', type: 'string', defaultText: 'schema-registry',
    doc: 'Group through which registry instances elect their leader (Confluent `schema.registry.group.id`).' },
  { name: 'schema.registry.compatibility.level', type: 'string', defaultText: 'BACKWARD',
    doc: `Global compatibility level until one is set through the API (Confluent \`schema.compatibility.level\`): ${COMPATIBILITY_LEVELS.join(', ')}.` },
];

/** What `startRegistry` needs from the properties, bootstrap servers aside. */
export interface RegistrySettings {
  readonly listeners: string;
  /** From `schema.registry.kafkastore.bootstrap.servers`, `PLAINTEXT://` stripped; undefined when unset. */
  readonly bootstrapServers?: string;
  readonly topic: string;
  readonly replicationFactor?: number;
  readonly hostName?: string;
  readonly leaderEligibility: boolean;
  readonly groupId: string;
  readonly compatibilityLevel: CompatibilityLevel;
}

/** Splits properties into the broker's and the registry's (`schema.registry.*`). */
export function splitRegistryProperties(props: Record<string, string>): { broker: Record<string, string>; registry: Record<string, string> } {
  const broker: Record<string, string> = {};
  const registry: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith(REGISTRY_PREFIX)) registry[k] = v;
    else broker[k] = v;
  }
  return { broker, registry };
}

function invalid(key: string, value: string, why: string): UsageError {
  return new UsageError(`Invalid value ${JSON.stringify(value)} for configuration ${key}: ${why}`);
}

function checkListeners(key: string, value: string): string {
  const first = value.split(',')[0]!.trim();
  let url: URL;
  try {
    url = new URL(first);
  } catch {
    throw invalid(key, value, 'expected a URL such as http://0.0.0.0:8081');
  }
  if (url.protocol !== 'http:') throw invalid(key, value, 'only http:// listeners are served');
  if (!/:\d+\/?$/.test(first)) throw invalid(key, value, 'the URL needs a port');
  if (url.pathname !== '/' || url.search !== '') throw invalid(key, value, 'a listener has no path or query');
  return first;
}

/** `host:port[,host:port]` with optional `PLAINTEXT://` prefixes, returned without them. */
export function checkBootstrapServers(key: string, value: string): string {
  const servers = value.split(',').map((s) => s.trim().replace(/^PLAINTEXT:\/\//i, '')).filter((s) => s !== '');
  if (servers.length === 0) throw invalid(key, value, 'expected host:port[,host:port]');
  for (const s of servers) {
    const at = s.lastIndexOf(':');
    const port = Number(s.slice(at + 1));
    if (at <= 0 || !/^\d+$/.test(s.slice(at + 1)) || port < 1 || port > 65535) throw invalid(key, value, `${JSON.stringify(s)} is not host:port`);
  }
  return servers.join(',');
}

function checkTopic(key: string, value: string): string {
  if (value === '' || value === '.' || value === '..' || value.length > TOPIC_NAME_CHARS_MAX || !/^[a-zA-Z0-9._-]+$/.test(value)) {
    throw invalid(key, value, `a topic name is 1 to ${TOPIC_NAME_CHARS_MAX} characters of [a-zA-Z0-9._-], not "." or ".."`);
  }
  return value;
}

function checkBoolean(key: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(key, value, 'expected true or false');
}

function checkLevel(key: string, value: string): CompatibilityLevel {
  const v = value.trim().toUpperCase();
  if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(v)) throw invalid(key, value, `expected one of ${COMPATIBILITY_LEVELS.join(', ')}`);
  return v as CompatibilityLevel;
}

function checkReplicationFactor(key: string, value: string): number {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > REPLICATION_FACTOR_MAX) throw invalid(key, value, `expected an integer from 1 to ${REPLICATION_FACTOR_MAX}`);
  return Number(v);
}

function checkNonEmpty(key: string, value: string): string {
  if (value.trim() === '') throw invalid(key, value, 'must not be empty');
  return value.trim();
}

/** Checks the `schema.registry.*` keys (as split off by splitRegistryProperties) and applies defaults. */
export function parseRegistryConfig(props: Record<string, string>): RegistrySettings {
  const known = new Set(REGISTRY_CONFIGS.map((d) => d.name));
  for (const key of Object.keys(props)) {
    if (!known.has(key)) throw new UsageError(`Unknown schema registry configuration ${key} (known: ${[...known].join(', ')})`);
  }
  const get = (name: string): string | undefined => props[name];
  const k = (suffix: string): string => `${REGISTRY_PREFIX}${suffix}`;
  const listeners = get(k('listeners'));
  const bootstrap = get(k('kafkastore.bootstrap.servers'));
  const rf = get(k('kafkastore.topic.replication.factor'));
  const hostName = get(k('host.name'));
  return {
    listeners: listeners === undefined ? DEFAULT_REGISTRY_LISTENERS : checkListeners(k('listeners'), listeners),
    ...(bootstrap !== undefined ? { bootstrapServers: checkBootstrapServers(k('kafkastore.bootstrap.servers'), bootstrap) } : {}),
    topic: checkTopic(k('kafkastore.topic'), get(k('kafkastore.topic')) ?? '_schemas'),
    ...(rf !== undefined ? { replicationFactor: checkReplicationFactor(k('kafkastore.topic.replication.factor'), rf) } : {}),
    ...(hostName !== undefined ? { hostName: checkNonEmpty(k('host.name'), hostName) } : {}),
    leaderEligibility: checkBoolean(k('leader.eligibility'), get(k('leader.eligibility')) ?? 'true'),
    groupId: checkNonEmpty(k('group.id'), get(k('group.id')) ?? 'schema-registry'),
    compatibilityLevel: checkLevel(k('compatibility.level'), get(k('compatibility.level')) ?? 'BACKWARD'),
  };
}
