/**
 * Topic-level configuration: definitions, validation of overrides (CreateTopics, AlterConfigs),
 * effective values (override > broker `log.*` synonym > default) and the LogConfig handed to storage.
 *
 * Each topic config's default is its broker synonym's effective value, as in Kafka; `describeTopicConfigs`
 * reports where each value came from, for the DescribeConfigs handler.
 */
import type { LogConfig } from '@tributary/storage';
import type { BrokerConfig } from './broker-config.ts';
import {
  SCHEMA_REGISTRY_URL_KEY, SCHEMA_VALIDATION_MODES, SUBJECT_NAME_STRATEGIES, SUBJECT_NAME_STRATEGY_PREFIX, subjectNameStrategyOf,
} from '../schema-validation/names.ts';
import { CLEANUP_POLICIES, COMPRESSION_TYPES, TIMESTAMP_TYPES } from './broker-configs.ts';
import {
  atLeast, between, ConfigError, ConfigSource, eachOf, formatConfigValue, oneOf, parseConfigValue,
  type ConfigDef, type ConfigSynonym, type ConfigType, type ConfigValue,
} from './types.ts';

export interface TopicConfigDef extends ConfigDef {
  /** Broker key whose effective value is this config's default (Kafka's synonym); null when there is none. */
  readonly brokerSynonym: string | null;
  /** Effective broker value to use as default (handles derived keys like log.retention.hours). */
  readonly brokerDefault: (broker: BrokerConfig) => ConfigValue;
}

function tdef(
  name: string, type: ConfigType, brokerSynonym: string, doc: string,
  validate?: (v: ConfigValue) => string | undefined,
  brokerDefault: (b: BrokerConfig) => ConfigValue = (b) => b.get(brokerSynonym),
): TopicConfigDef {
  const base = { name, type, defaultValue: null, doc, updateMode: 'cluster-wide' as const, brokerSynonym, brokerDefault };
  return validate === undefined ? base : { ...base, validate };
}

/** A topic config with no broker synonym: its default is fixed. */
function tdefOwn(name: string, type: ConfigType, defaultValue: ConfigValue, doc: string,
  validate?: (v: ConfigValue) => string | undefined): TopicConfigDef {
  const base = { name, type, defaultValue, doc, updateMode: 'cluster-wide' as const, brokerSynonym: null, brokerDefault: () => defaultValue };
  return validate === undefined ? base : { ...base, validate };
}

const strategy = (v: ConfigValue): string | undefined =>
  typeof v === 'string' && subjectNameStrategyOf(v) === undefined
    ? `must be one of ${SUBJECT_NAME_STRATEGIES.join(', ')} (optionally prefixed ${SUBJECT_NAME_STRATEGY_PREFIX})` : undefined;

/**
 * Broker-side schema validation (Confluent Server's names; see schema-validation/index.ts). The
 * `tributary.*.schema.validation.mode` keys are ours: `id` checks the framing and that the schema
 * id is registered under the subject (what Confluent Server does); `strict` also decodes the payload.
 */
const SCHEMA_VALIDATION_TOPIC_CONFIGS: readonly TopicConfigDef[] = (['key', 'value'] as const).flatMap((part) => [
  tdefOwn(`confluent.${part}.schema.validation`, 'boolean', false,
    `Reject produced records whose ${part} is not framed with a schema id registered under the ${part} subject (needs the broker config confluent.schema.registry.url).`),
  tdefOwn(`confluent.${part}.subject.name.strategy`, 'string', `${SUBJECT_NAME_STRATEGY_PREFIX}TopicNameStrategy`,
    `How the ${part} subject is derived: TopicNameStrategy (<topic>-${part}), RecordNameStrategy (the schema's record name) or TopicRecordNameStrategy (<topic>-<record name>).`,
    strategy),
  tdefOwn(`tributary.${part}.schema.validation.mode`, 'string', 'id',
    `Tributary: with confluent.${part}.schema.validation, id = check the schema id only (Confluent Server); strict = also decode the ${part} against the schema (Avro; JSON must parse; Protobuf is checked by id only).`,
    oneOf(...SCHEMA_VALIDATION_MODES)),
]);

export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  tdef('cleanup.policy', 'list', 'log.cleanup.policy', 'delete and/or compact.', eachOf(...CLEANUP_POLICIES)),
  tdef('compression.type', 'string', 'compression.type', 'Final compression of stored batches (producer = keep the producer\'s).',
    oneOf(...COMPRESSION_TYPES)),
  tdef('delete.retention.ms', 'long', 'log.cleaner.delete.retention.ms', 'How long tombstones are kept on compacted topics.', atLeast(0)),
  tdef('file.delete.delay.ms', 'long', 'log.segment.delete.delay.ms', 'Delay before a deleted segment file is removed.', atLeast(0)),
  tdef('flush.messages', 'long', 'log.flush.interval.messages', 'Fsync after this many appended records.', atLeast(1)),
  tdef('flush.ms', 'long', 'log.flush.interval.ms', 'Fsync when the oldest unflushed record is this old.', atLeast(0), (b) => b.flushMs),
  tdef('index.interval.bytes', 'int', 'log.index.interval.bytes', 'Bytes between offset-index entries.', atLeast(0)),
  tdef('max.message.bytes', 'int', 'message.max.bytes', 'Largest record batch accepted for this topic.', atLeast(0)),
  tdef('message.timestamp.type', 'string', 'log.message.timestamp.type', 'CreateTime or LogAppendTime.', oneOf(...TIMESTAMP_TYPES)),
  tdef('message.timestamp.before.max.ms', 'long', 'log.message.timestamp.before.max.ms',
    'Largest allowed distance of a CreateTime timestamp before broker time.', atLeast(0)),
  tdef('message.timestamp.after.max.ms', 'long', 'log.message.timestamp.after.max.ms',
    'Largest allowed distance of a CreateTime timestamp after broker time.', atLeast(0)),
  tdef('min.insync.replicas', 'int', 'min.insync.replicas', 'Minimum ISR size for acks=all.', atLeast(1)),
  tdef('retention.bytes', 'long', 'log.retention.bytes', 'Size limit per partition; -1 = none.'),
  tdef('retention.ms', 'long', 'log.retention.ms', 'Time limit for old segments; -1 = forever.', atLeast(-1), (b) => b.retentionMs),
  tdef('segment.bytes', 'int', 'log.segment.bytes', 'Segment file size.', atLeast(14)),
  tdef('segment.ms', 'long', 'log.roll.ms', 'Roll a segment after this long.', atLeast(1), (b) => b.rollMs),
  tdef('segment.index.bytes', 'int', 'log.index.size.max.bytes', 'Largest index file.', atLeast(4)),
  tdef('segment.jitter.ms', 'long', 'log.roll.jitter.ms', 'Random jitter subtracted from the roll time.', atLeast(0), (b) => b.rollJitterMs),
  tdef('unclean.leader.election.enable', 'boolean', 'unclean.leader.election.enable', 'Allow out-of-ISR leaders (may lose data).'),
  tdef('min.compaction.lag.ms', 'long', 'log.cleaner.min.compaction.lag.ms', 'Records stay uncompacted at least this long.', atLeast(0)),
  tdef('max.compaction.lag.ms', 'long', 'log.cleaner.max.compaction.lag.ms', 'Records become compactable after this long.', atLeast(1)),
  tdef('min.cleanable.dirty.ratio', 'double', 'log.cleaner.min.cleanable.ratio', 'Dirty ratio above which the log is compacted.',
    between(0, 1)),
  tdef('preallocate', 'boolean', 'log.preallocate', 'Preallocate segment files.'),
  tdef('message.downconversion.enable', 'boolean', 'log.message.downconversion.enable', 'Allow down-conversion for old fetch versions.'),
  ...SCHEMA_VALIDATION_TOPIC_CONFIGS,
];

export const TOPIC_CONFIG_BY_NAME: ReadonlyMap<string, TopicConfigDef> = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

/** Topic overrides as stored in the metadata store: key → text value (as Kafka keeps them). */
export type TopicConfigOverrides = Readonly<Record<string, string>>;

export type TopicConfigValidation =
  | { readonly ok: true }
  | { readonly ok: false; readonly errorCode: number; readonly key: string; readonly message: string };

/** Kafka error code INVALID_CONFIG (40). */
export const INVALID_CONFIG_ERROR_CODE = 40;

/**
 * Checks topic config overrides (CreateTopics configs, AlterConfigs entries). Null values are
 * allowed (they mean "remove the override"). Returns the first problem with the key named.
 */
export function validateTopicConfigs(
  entries: Iterable<readonly [string, string | null]>, broker?: BrokerConfig,
): TopicConfigValidation {
  for (const [key, text] of entries) {
    const d = TOPIC_CONFIG_BY_NAME.get(key);
    if (d === undefined) {
      return { ok: false, errorCode: INVALID_CONFIG_ERROR_CODE, key, message: `Unknown topic config name: ${key}` };
    }
    if (text === null) continue;
    try {
      parseConfigValue(d, text);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return { ok: false, errorCode: INVALID_CONFIG_ERROR_CODE, key, message: e.message };
    }
    if (broker !== undefined && SCHEMA_VALIDATION_KEYS.has(key) && text.trim().toLowerCase() === 'true'
      && broker.get(SCHEMA_REGISTRY_URL_KEY) === null) {
      return {
        ok: false, errorCode: INVALID_CONFIG_ERROR_CODE, key,
        message: `${key}=true needs the broker config ${SCHEMA_REGISTRY_URL_KEY}, which is not set`,
      };
    }
  }
  return { ok: true };
}

const SCHEMA_VALIDATION_KEYS: ReadonlySet<string> = new Set(['confluent.key.schema.validation', 'confluent.value.schema.validation']);

/** Effective typed values of every topic config, given the broker config and the topic's overrides. */
export class TopicConfig {
  private readonly values = new Map<string, ConfigValue>();

  constructor(broker: BrokerConfig, overrides: TopicConfigOverrides) {
    for (const d of TOPIC_CONFIGS) {
      const text = overrides[d.name];
      // Stored overrides were validated on write; a bad one here is a bug in whoever wrote it.
      this.values.set(d.name, text === undefined ? d.brokerDefault(broker) : parseConfigValue(d, text));
    }
  }

  get(name: string): ConfigValue {
    if (!this.values.has(name)) throw new ConfigError('UNKNOWN_CONFIG', name, `Unknown topic config name: ${name}`);
    return this.values.get(name)!;
  }

  int(name: string): number {
    const v = this.get(name);
    if (typeof v !== 'number') throw new TypeError(`topic config ${name} is not a number`);
    return v;
  }

  bool(name: string): boolean {
    const v = this.get(name);
    if (typeof v !== 'boolean') throw new TypeError(`topic config ${name} is not a boolean`);
    return v;
  }

  string(name: string): string {
    const v = this.get(name);
    if (typeof v !== 'string') throw new TypeError(`topic config ${name} is not a string`);
    return v;
  }

  get maxMessageBytes(): number { return this.int('max.message.bytes'); }
  get logAppendTime(): boolean { return this.string('message.timestamp.type') === 'LogAppendTime'; }
  get compacted(): boolean { return (this.get('cleanup.policy') as readonly string[]).includes('compact'); }
  get timestampBeforeMaxMs(): number { return this.int('message.timestamp.before.max.ms'); }
  get timestampAfterMaxMs(): number { return this.int('message.timestamp.after.max.ms'); }
  get minInsyncReplicas(): number { return this.int('min.insync.replicas'); }
  /** Broker-side schema validation of keys / values is on (checked on every produce: keep it cheap). */
  get keySchemaValidation(): boolean { return this.values.get('confluent.key.schema.validation') === true; }
  get valueSchemaValidation(): boolean { return this.values.get('confluent.value.schema.validation') === true; }
}

/** The storage settings of a partition of a topic with these overrides. */
export function topicLogConfig(broker: BrokerConfig, overrides: TopicConfigOverrides): LogConfig {
  const t = new TopicConfig(broker, overrides);
  // Storage works in exact integers: Long.MAX_VALUE ("never") becomes the largest safe integer.
  const n = (name: string): number => Math.min(t.int(name), Number.MAX_SAFE_INTEGER);
  return {
    segmentBytes: n('segment.bytes'),
    segmentMs: n('segment.ms'),
    indexIntervalBytes: n('index.interval.bytes'),
    segmentIndexBytes: n('segment.index.bytes'),
    retentionMs: n('retention.ms'),
    retentionBytes: n('retention.bytes'),
    flushMessages: n('flush.messages'),
    flushMs: n('flush.ms'),
    fileDeleteDelayMs: n('file.delete.delay.ms'),
  };
}

export interface DescribedConfig {
  readonly name: string;
  readonly value: string | null;
  readonly source: number;
  readonly readOnly: boolean;
  readonly isSensitive: boolean;
  readonly type: string;
  readonly documentation: string;
  /** Synonyms in Kafka's precedence order: the override (if any), the broker key (if set), the default. */
  readonly synonyms: readonly ConfigSynonym[];
}

/**
 * Every topic config with its effective value and source, for DescribeConfigs on a topic resource.
 * Synonyms in precedence order: the topic override, then the broker synonym's layers (dynamic
 * broker, dynamic default, static, default), so the first one is where the value comes from.
 */
export function describeTopicConfigs(broker: BrokerConfig, overrides: TopicConfigOverrides): DescribedConfig[] {
  const t = new TopicConfig(broker, overrides);
  return TOPIC_CONFIGS.map((d) => {
    const synonyms: ConfigSynonym[] = [];
    const override = overrides[d.name];
    if (override !== undefined) synonyms.push({ name: d.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    if (d.brokerSynonym !== null) synonyms.push(...broker.synonyms(d.brokerSynonym));
    else if (d.defaultValue !== null) synonyms.push({ name: d.name, value: formatConfigValue(d.defaultValue), source: ConfigSource.DEFAULT_CONFIG });
    return {
      name: d.name,
      value: formatConfigValue(t.get(d.name)),
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      readOnly: false,
      isSensitive: false,
      type: d.type,
      documentation: d.doc,
      synonyms,
    };
  });
}
