/**
 * Parsed broker configuration. `parseBrokerConfig` is the one entry point: it rejects unknown keys
 * and bad values with a ConfigError naming the key, applies defaults, and resolves Kafka's derived
 * keys (log.retention.ms > minutes > hours, log.roll.ms > hours, log.dirs > log.dir).
 */
import { BROKER_CONFIG_BY_NAME } from './broker-configs.ts';
import { ConfigError, parseConfigValue, type ConfigValue } from './types.ts';

export interface ListenerConfig {
  /** Listener name, e.g. PLAINTEXT. */
  readonly name: string;
  /** Host as written; '' means all interfaces. */
  readonly host: string;
  /** Port as written; 0 means "pick a free port". */
  readonly port: number;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export class BrokerConfig {
  /** Every defined key with its effective value (explicit or default). */
  readonly values: ReadonlyMap<string, ConfigValue>;
  /** Keys set explicitly (DescribeConfigs reports these as STATIC_BROKER_CONFIG). */
  readonly explicit: ReadonlySet<string>;

  readonly brokerId: number;
  readonly rack: string | null;
  readonly listeners: readonly ListenerConfig[];
  /** Null when not configured: advertise the bound listeners. */
  readonly advertisedListeners: readonly ListenerConfig[] | null;
  readonly logDirs: readonly string[];
  readonly requestBytesMax: number;
  readonly inflightRequestsMax: number;
  /** Effective retention, -1 = unlimited. */
  readonly retentionMs: number;
  readonly rollMs: number;
  readonly rollJitterMs: number;
  readonly flushMs: number;

  constructor(values: ReadonlyMap<string, ConfigValue>, explicit: ReadonlySet<string>) {
    this.values = values;
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
    this.retentionMs = resolveRetentionMs(this);
    this.rollMs = this.intOrNull('log.roll.ms') ?? this.int('log.roll.hours') * HOUR_MS;
    this.rollJitterMs = this.intOrNull('log.roll.jitter.ms') ?? this.int('log.roll.jitter.hours') * HOUR_MS;
    this.flushMs = this.intOrNull('log.flush.interval.ms') ?? this.int('log.flush.scheduler.interval.ms');
  }

  get(name: string): ConfigValue {
    if (!this.values.has(name)) throw new ConfigError('UNKNOWN_CONFIG', name, `Unknown broker configuration ${name}`);
    return this.values.get(name)!;
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
  if (values.get('zookeeper.connect') !== null) {
    throw new ConfigError('INVALID_CONFIG', 'zookeeper.connect',
      'zookeeper.connect is set, but cluster mode (ZooKeeper) is not available in this version; remove it to run a single node');
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
