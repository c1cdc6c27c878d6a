// Subject name strategies, as Confluent's serializers name them:
//   topic        → `<topic>-key` / `<topic>-value`           (TopicNameStrategy, the default)
//   record       → `<fully qualified record name>`             (RecordNameStrategy)
//   topic-record → `<topic>-<fully qualified record name>`    (TopicRecordNameStrategy)
import { SerdeError } from './errors.ts';

export interface SubjectNameContext {
  topic: string;
  isKey: boolean;
  /** Avro: the named type's full name; JSON: the schema's title; Protobuf: the message's full name. */
  recordName: string | undefined;
}

export type SubjectNameStrategy = 'topic' | 'record' | 'topic-record' | ((ctx: SubjectNameContext) => string);

export function subjectName(strategy: SubjectNameStrategy, ctx: SubjectNameContext): string {
  if (typeof strategy === 'function') return strategy(ctx);
  if (strategy === 'topic') return `${ctx.topic}-${ctx.isKey ? 'key' : 'value'}`;
  if (ctx.recordName === undefined || ctx.recordName === '') {
    throw new SerdeError('INVALID_CONFIG', `the ${strategy} subject name strategy needs a record name: give a named schema (Avro record, JSON Schema title, Protobuf message) or the recordName option`);
  }
  return strategy === 'record' ? ctx.recordName : `${ctx.topic}-${ctx.recordName}`;
}

/** Whether the strategy needs a record name (so a schema or recordName must be known up front). */
export function needsRecordName(strategy: SubjectNameStrategy): boolean {
  return strategy === 'record' || strategy === 'topic-record';
}
