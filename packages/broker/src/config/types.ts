/**
 * Shared shapes for broker and topic configuration definitions, and the string parsing that
 * turns `server.properties` / CreateTopics / AlterConfigs text into typed values.
 */

/** Kafka's ConfigDef types (as reported by DescribeConfigs v3+ `ConfigType`). */
export type ConfigType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'password';

export type ConfigValue = number | boolean | string | readonly string[] | null;

/**
 * How a broker config may change at runtime (Kafka's DynamicBrokerConfig modes). Topic configs are
 * always dynamic (AlterConfigs on the topic resource).
 */
export type ConfigUpdateMode = 'read-only' | 'per-broker' | 'cluster-wide';

export interface ConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  /** Default after parsing; null means "unset" (Kafka's `null` default). */
  readonly defaultValue: ConfigValue;
  readonly doc: string;
  /** Returns a problem description, or undefined when the value is acceptable. */
  readonly validate?: (value: ConfigValue) => string | undefined;
  readonly updateMode: ConfigUpdateMode;
}

/** DescribeConfigs ConfigSource values (DescribeConfigsResponse.json; Kafka's DescribeConfigsResponse.ConfigSource). */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** One layer that sets a config, as DescribeConfigs reports synonyms. */
export interface ConfigSynonym {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
}

export type ConfigErrorCode = 'UNKNOWN_CONFIG' | 'INVALID_CONFIG';

/** Thrown by config parsing; the message always names the key. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly key: string;
  constructor(code: ConfigErrorCode, key: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
    this.code = code;
    this.key = key;
  }
}

/** Java's Long.MAX_VALUE, the "never" default of several configs; kept as its exact text on output. */
export const LONG_MAX_TEXT = '9223372036854775807';
/** Long.MAX_VALUE as a JS number (not exact; only ever compared, never incremented). */
export const LONG_MAX = 9223372036854775807;
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

function parseInteger(def: ConfigDef, text: string): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw invalid(def.name, text, `expected ${def.type === 'long' ? 'a long' : 'an integer'}`);
  if (def.type === 'long') {
    if (t === LONG_MAX_TEXT) return LONG_MAX;
    const n = Number(t);
    if (!Number.isSafeInteger(n)) throw invalid(def.name, text, 'out of range for a long (|v| <= 2^53 or exactly Long.MAX_VALUE)');
    return n;
  }
  const n = Number(t);
  const [lo, hi] = def.type === 'short' ? [-32768, 32767] : [INT_MIN, INT_MAX];
  if (n < lo || n > hi) throw invalid(def.name, text, `out of range for ${def.type === 'short' ? 'a short' : 'an int'}`);
  return n;
}

function invalid(key: string, text: string, problem: string): ConfigError {
  return new ConfigError('INVALID_CONFIG', key, `Invalid value ${JSON.stringify(text)} for configuration ${key}: ${problem}`);
}

/** Parses one value from its text form and runs the validator. Throws ConfigError('INVALID_CONFIG'). */
export function parseConfigValue(def: ConfigDef, text: string): ConfigValue {
  let value: ConfigValue;
  switch (def.type) {
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t !== 'true' && t !== 'false') throw invalid(def.name, text, 'expected true or false');
      value = t === 'true';
      break;
    }
    case 'int':
    case 'short':
    case 'long':
      value = parseInteger(def, text);
      break;
    case 'double': {
      const n = Number(text.trim());
      if (text.trim() === '' || !Number.isFinite(n)) throw invalid(def.name, text, 'expected a number');
      value = n;
      break;
    }
    case 'list':
      value = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      break;
    case 'string':
    case 'password':
      value = text.trim();
      break;
  }
  const problem = def.validate?.(value);
  if (problem !== undefined) throw invalid(def.name, text, problem);
  return value;
}

/** Text form of a value, as DescribeConfigs reports it (null stays null). */
export function formatConfigValue(value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'number' && value >= LONG_MAX) return LONG_MAX_TEXT;
  return String(value);
}

// ---- validators -------------------------------------------------------------------------------

export const atLeast = (min: number) => (v: ConfigValue): string | undefined =>
  v === null || (typeof v === 'number' && v >= min) ? undefined : `must be at least ${min}`;

export const between = (min: number, max: number) => (v: ConfigValue): string | undefined =>
  v === null || (typeof v === 'number' && v >= min && v <= max) ? undefined : `must be between ${min} and ${max}`;

export const oneOf = (...allowed: string[]) => (v: ConfigValue): string | undefined =>
  v === null || (typeof v === 'string' && allowed.includes(v)) ? undefined : `must be one of ${allowed.join(', ')}`;

export const eachOf = (...allowed: string[]) => (v: ConfigValue): string | undefined => {
  if (v === null || !Array.isArray(v)) return undefined;
  if (v.length === 0) return `must contain at least one of ${allowed.join(', ')}`;
  const bad = v.find((x) => !allowed.includes(x));
  return bad === undefined ? undefined : `${JSON.stringify(bad)} is not one of ${allowed.join(', ')}`;
};
