/**
 * Parsed broker configuration. `parseBrokerConfig` is the one entry point: it rejects unknown keys
 * and bad values with a ConfigError naming the key, applies defaults, and resolves Kafka's derived
 * keys (log.retention.ms > minutes > hours, log.roll.ms > hours, log.dirs > log.dir).
 *
 * Dynamic broker configs (AlterConfigs on a BROKER resource) are layered on top with
 * `applyDynamicOverrides`, in Kafka's precedence: DYNAMIC_BROKER_CONFIG (this broker's id) >
 * DYNAMIC_DEFAULT_BROKER_CONFIG (cluster-wide '') > STATIC_BROKER_CONFIG (server.properties,
 * --set) > DEFAULT_CONFIG. Everything that reads `get`/`int`/... (topic defaults, LogConfig) sees
 * the effective value; identity and listener fields are read-only and fixed at startup.
 */
import { BROKER_CONFIG_BY_NAME } from './broker-configs.ts';
import {
  ConfigError, ConfigSource, formatConfigValue, parseConfigValue,
  type ConfigDef, type ConfigSynonym, type ConfigValue,
} from './types.ts';

export interface ListenerConfig {
  /** Listener name, e.g. PLAINTEXT. */
  readonly name: string;
  /** Host as written; '' means all interfaces. */
  readonly host: string;
  /** Port as written; 0 means "pick a free port". */
  readonly port: number;
}

/** Dynamic overrides as stored in the metadata store: key -> text value. */
export type BrokerConfigOverrides = Readonly<Record<string, string>>;

/** A stored dynamic override that was not applied (unknown, read-only, wrong level or bad value). */
export interface IgnoredOverride {
  readonly brokerId: number | null;
  readonly key: string;
  readonly reason: string;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Broker keys that feed a key's effective value when the key itself is unset (Kafka's broker
 * synonyms), in precedence order after the key itself.
 */
export const DERIVED_BROKER_KEYS: Readonly<Record<string, readonly string[]>> = {
  'log.retention.ms': ['log.retention.minutes', 'log.retention.hours'],
  'log.roll.ms': ['log.roll.hours'],
  'log.roll.jitter.ms': ['log.roll.jitter.hours'],
  'log.flush.interval.ms': ['log.flush.scheduler.interval.ms'],
};

/**
 * Why a dynamic override of `def` at this level (brokerId null = cluster-wide default) is not
 * allowed, or undefined when it is (Kafka's DynamicBrokerConfig rules).
 */
export function dynamicUpdateProblem(def: ConfigDef, clusterWide: boolean): string | undefined {
  if (def.updateMode === 'read-only') return `Cannot update these configs dynamically: ${def.name}`;
  if (def.updateMode === 'per-broker' && clusterWide) {
    return `Cannot update these configs at default cluster level, broker id must be specified: ${def.name}`;
  }
  return undefined;
}

/** Kafka's default replication factor of internal topics, applied in cluster mode. */
export const CLUSTER_INTERNAL_REPLICATION_FACTOR = 3;

export class BrokerConfig {
  /** Keys set explicitly (DescribeConfigs reports these as STATIC_BROKER_CONFIG). */
  readonly explicit: ReadonlySet<string>;
  /** Every defined key with its value from server.properties / --set or its default. */
  private readonly staticValues: ReadonlyMap<string, ConfigValue>;
  /** Static values with the applied dynamic overrides on top. */
  private effective: Map<string, ConfigValue>;
  /** Applied dynamic overrides (text as stored) of this broker and of the cluster-wide default. */
  private perBroker: ReadonlyMap<string, string> = new Map();
  private clusterDefault: ReadonlyMap<string, string> = new Map();

  readonly brokerId: number;
  readonly rack: string | null;
  readonly listeners: readonly ListenerConfig[];
  /** Null when not configured: advertise the bound listeners. */
  readonly advertisedListeners: readonly ListenerConfig[] | null;
  readonly logDirs: readonly string[];
  readonly requestBytesMax: number;
  readonly inflightRequestsMax: number;

  constructor(values: ReadonlyMap<string, ConfigValue>, explicit: ReadonlySet<string>) {
    this.staticValues = values;
    this.effective = new Map(values);
    this.explicit = explicit;
    this.brokerId = this.int('broker.id');
    this.rack = this.stringOrNull('broker.rack');
    this.listeners = this.list('listeners').map((l) => parseListener('listeners', l));
    const adv = this.get('advertised.listeners');
    this.advertisedListeners = Array.isArray(adv) ? adv.map((l) => parseListener('advertised.listeners', l)) : null;
    const dirs = this.get('log.dirs');
    this.logDirs = Array.isArray(dirs) && dirs.length > 0 ? dirs : [this.string('log.dir')];
    this.requestBytesMax = this.int('socket.request.max.bytes');
    this.inflightRequestsMax = this.int('tributary.connection.inflight.requests.max');
  }

  /** Every defined key with its effective value (dynamic, explicit or default). */
  get values(): ReadonlyMap<string, ConfigValue> { return this.effective; }
  /** Effective retention, -1 = unlimited. */
  get retentionMs(): number { return resolveRetentionMs(this); }
  get rollMs(): number { return this.intOrNull('log.roll.ms') ?? this.int('log.roll.hours') * HOUR_MS; }
  get rollJitterMs(): number { return this.intOrNull('log.roll.jitter.ms') ?? this.int('log.roll.jitter.hours') * HOUR_MS; }
  get flushMs(): number { return this.intOrNull('log.flush.interval.ms') ?? this.int('log.flush.scheduler.interval.ms'); }
  /**
   * Replication factor of an internal topic (`offsets.topic.replication.factor`,
   * `transaction.state.log.replication.factor`): the explicit value; unset, Kafka's 3 in cluster
   * mode (creation then fails, COORDINATOR_NOT_AVAILABLE, until 3 brokers are live) and 1 on a
   * single node.
   */
  internalTopicReplicationFactor(name: 'offsets.topic.replication.factor' | 'transaction.state.log.replication.factor'): number {
    if (this.explicit.has(name)) return this.int(name);
    return this.stringOrNull('zookeeper.connect') === null ? this.int(name) : CLUSTER_INTERNAL_REPLICATION_FACTOR;
  }

  /**
   * Replaces the dynamic layers with this broker's overrides and the cluster-wide default ones.
   * Stored overrides were validated on write; any that no longer pass (e.g. a key made read-only
   * by an upgrade) are skipped and returned, as Kafka logs and ignores them.
   */
  applyDynamicOverrides(perBroker: BrokerConfigOverrides, clusterDefault: BrokerConfigOverrides): IgnoredOverride[] {
    const ignored: IgnoredOverride[] = [];
    const dflt = acceptedOverrides(null, clusterDefault, ignored);
    const own = acceptedOverrides(this.brokerId, perBroker, ignored);
    const next = new Map(this.staticValues);
    for (const layer of [dflt, own]) for (const [key, { value }] of layer) next.set(key, value);
    this.effective = next;
    this.clusterDefault = new Map([...dflt].map(([k, v]) => [k, v.text]));
    this.perBroker = new Map([...own].map(([k, v]) => [k, v.text]));
    return ignored;
  }

  /**
   * The text `name` would have without the overrides of the level being edited (brokerId null: the
   * cluster-wide default) or any above it: the base for IncrementalAlterConfigs APPEND/SUBTRACT.
   */
  textBelow(name: string, brokerId: number | null): string | null {
    const dflt = brokerId !== null ? this.clusterDefault.get(name) : undefined;
    return dflt ?? formatConfigValue(this.staticOrThrow(name));
  }

  /**
   * The layers that set `name` and its derived keys, in Kafka's order: source first (dynamic
   * broker, dynamic default, static, default), then key. The first is the effective one.
   * `includePerBroker` false leaves out this broker's own layer (describing the '' resource).
   */
  synonyms(name: string, includePerBroker = true): ConfigSynonym[] {
    this.staticOrThrow(name);
    const names = [name, ...(DERIVED_BROKER_KEYS[name] ?? [])];
    const out: ConfigSynonym[] = [];
    const add = (map: ReadonlyMap<string, string>, source: number): void => {
      for (const n of names) {
        const v = map.get(n);
        if (v !== undefined) out.push({ name: n, value: v, source });
      }
    };
    if (includePerBroker) add(this.perBroker, ConfigSource.DYNAMIC_BROKER_CONFIG);
    add(this.clusterDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    for (const n of names) {
      if (this.explicit.has(n)) out.push({ name: n, value: formatConfigValue(this.staticValues.get(n)!), source: ConfigSource.STATIC_BROKER_CONFIG });
    }
    for (const n of names) {
      const d = BROKER_CONFIG_BY_NAME.get(n)!;
      // As Kafka's staticDefaultConfigs: a null default ("unset") is no layer.
      if (d.defaultValue !== null) out.push({ name: n, value: formatConfigValue(d.defaultValue), source: ConfigSource.DEFAULT_CONFIG });
    }
    return out;
  }

  private staticOrThrow(name: string): ConfigValue {
    if (!this.staticValues.has(name)) throw new ConfigError('UNKNOWN_CONFIG', name, `Unknown broker configuration ${name}`);
    return this.staticValues.get(name)!;
  }

  get(name: string): ConfigValue {
    if (!this.effective.has(name)) throw new ConfigError('UNKNOWN_CONFIG', name, `Unknown broker configuration ${name}`);
    return this.effective.get(name)!;
  }

  int(name: string): number {
    const v = this.get(name);
    if (typeof v !== 'number') throw new TypeError(`broker config ${name} is not a number`);
    return v;
  }

  intOrNull(name: string): number | null {
    const v = this.get(name);
    return v === null ? null : this.int(name);
  }

  bool(name: string): boolean {
    const v = this.get(name);
    if (typeof v !== 'boolean') throw new TypeError(`broker config ${name} is not a boolean`);
    return v;
  }

  string(name: string): string {
    const v = this.get(name);
    if (typeof v !== 'string') throw new TypeError(`broker config ${name} is not a string`);
    return v;
  }

  stringOrNull(name: string): string | null {
    const v = this.get(name);
    return v === null ? null : this.string(name);
  }

  list(name: string): readonly string[] {
    const v = this.get(name);
    if (!Array.isArray(v)) throw new TypeError(`broker config ${name} is not a list`);
    return v;
  }
}

/** The overrides of one level that may apply; the others go to `ignored` with the reason. */
function acceptedOverrides(
  brokerId: number | null, overrides: BrokerConfigOverrides, ignored: IgnoredOverride[],
): Map<string, { value: ConfigValue; text: string }> {
  const out = new Map<string, { value: ConfigValue; text: string }>();
  for (const [key, text] of Object.entries(overrides)) {
    const d = BROKER_CONFIG_BY_NAME.get(key);
    const problem = d === undefined ? `Unknown broker configuration ${key}` : dynamicUpdateProblem(d, brokerId === null);
    if (problem !== undefined) {
      ignored.push({ brokerId, key, reason: problem });
      continue;
    }
    try {
      out.set(key, { value: parseConfigValue(d!, text), text });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      ignored.push({ brokerId, key, reason: e.message });
    }
  }
  return out;
}

function resolveRetentionMs(c: BrokerConfig): number {
  const ms = c.intOrNull('log.retention.ms');
  const minutes = c.intOrNull('log.retention.minutes');
  const raw = ms ?? (minutes !== null ? minutes * MINUTE_MS : c.int('log.retention.hours') * HOUR_MS);
  return raw < 0 ? -1 : raw;
}

/** Parses NAME://host:port; [v6] hosts keep their brackets stripped. */
export function parseListener(key: string, text: string): ListenerConfig {
  const m = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[0-9a-fA-F:.]*\]|[^:/\s]*):(\d{1,5})$/.exec(text);
  if (m === null) throw new ConfigError('INVALID_CONFIG', key, `Invalid listener ${JSON.stringify(text)} in ${key}: expected NAME://host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError('INVALID_CONFIG', key, `Invalid port ${port} in ${key}`);
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { name: m[1]!.toUpperCase(), host, port };
}

/**
 * Builds a BrokerConfig from `server.properties`-style key/value pairs.
 * Throws ConfigError: UNKNOWN_CONFIG for an undefined key, INVALID_CONFIG for a bad value.
 */
export function parseBrokerConfig(props: Record<string, string>): BrokerConfig {
  const values = new Map<string, ConfigValue>();
  for (const [name, d] of BROKER_CONFIG_BY_NAME) values.set(name, d.defaultValue);
  const explicit = new Set<string>();
  for (const [key, text] of Object.entries(props)) {
    const d = BROKER_CONFIG_BY_NAME.get(key);
    if (d === undefined) throw new ConfigError('UNKNOWN_CONFIG', key, `Unknown broker configuration ${key}`);
    values.set(key, parseConfigValue(d, text));
    explicit.add(key);
  }
  checkCrossKeyRules(values);
  return new BrokerConfig(values, explicit);
}

function checkCrossKeyRules(values: Map<string, ConfigValue>): void {
  const zk = values.get('zookeeper.connect');
  if (typeof zk === 'string' && parseZooKeeperConnect(zk) === undefined) {
    throw new ConfigError('INVALID_CONFIG', 'zookeeper.connect', `zookeeper.connect ${JSON.stringify(zk)} is not of the form host:port[,host:port...][/chroot]`);
  }
  const listeners = values.get('listeners') as readonly string[];
  if (listeners.length === 0) throw new ConfigError('INVALID_CONFIG', 'listeners', 'listeners must name at least one listener');
  const names = new Set<string>();
  for (const text of listeners) {
    const l = parseListener('listeners', text);
    if (l.name !== 'PLAINTEXT') {
      throw new ConfigError('INVALID_CONFIG', 'listeners', `Listener ${l.name} in listeners is not supported: only PLAINTEXT is`);
    }
    if (names.has(l.name)) throw new ConfigError('INVALID_CONFIG', 'listeners', `Listener name ${l.name} appears twice in listeners`);
    names.add(l.name);
  }
  const adv = values.get('advertised.listeners');
  if (Array.isArray(adv)) {
    for (const text of adv) {
      const a = parseListener('advertised.listeners', text);
      if (!names.has(a.name)) {
        throw new ConfigError('INVALID_CONFIG', 'advertised.listeners', `advertised.listeners names ${a.name}, which is not in listeners`);
      }
    }
  }
}

/** Splits `host:port[,host:port...][/chroot]`; undefined when malformed. The chroot has no trailing '/'. */
export function parseZooKeeperConnect(text: string): { readonly hosts: string; readonly chroot: string | null } | undefined {
  const slash = text.indexOf('/');
  const hosts = slash < 0 ? text : text.slice(0, slash);
  const chrootText = slash < 0 ? '' : text.slice(slash).replace(/\/+$/, '');
  if (!hosts.split(',').every((h) => /^[^\s:,/]+:\d{1,5}$/.test(h.trim()))) return undefined;
  if (chrootText !== '' && !/^(\/[^/\s]+)+$/.test(chrootText)) return undefined;
  return { hosts, chroot: chrootText === '' ? null : chrootText };
}
