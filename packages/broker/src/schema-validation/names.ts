/**
 * Names shared by the topic configs and the validator: subject name strategies (Confluent's class
 * names; the short names are accepted too, as Redpanda does) and our validation modes.
 */

export const SUBJECT_NAME_STRATEGY_PREFIX = 'io.confluent.kafka.serializers.subject.';
export const SUBJECT_NAME_STRATEGIES = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'] as const;
export type SubjectNameStrategy = (typeof SUBJECT_NAME_STRATEGIES)[number];

/** `id`: framing + schema id registered under the subject (Confluent Server). `strict`: also decode the payload. */
export const SCHEMA_VALIDATION_MODES = ['id', 'strict'] as const;
export type SchemaValidationMode = (typeof SCHEMA_VALIDATION_MODES)[number];

/** The strategy named by a config value (full class name or short name), or undefined. */
export function subjectNameStrategyOf(value: string): SubjectNameStrategy | undefined {
  const short = value.startsWith(SUBJECT_NAME_STRATEGY_PREFIX) ? value.slice(SUBJECT_NAME_STRATEGY_PREFIX.length) : value;
  return (SUBJECT_NAME_STRATEGIES as readonly string[]).includes(short) ? short as SubjectNameStrategy : undefined;
}

/** The broker config naming the Schema Registry (Confluent Server's key). */
export const SCHEMA_REGISTRY_URL_KEY = 'confluent.schema.registry.url';
