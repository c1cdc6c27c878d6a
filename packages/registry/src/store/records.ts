/**
 * Keys and values of the `_schemas` topic in Confluent's formats. Keys are compact JSON with a
 * fixed field order because compaction matches key bytes: a key written by Confluent SR, Karapace
 * or us for the same thing must be byte-identical. Values are JSON; unknown fields are ignored and
 * a null value is a tombstone.
 */
export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface SchemaValue {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  references: SchemaReference[];
  schema: string;
  deleted: boolean;
}

export interface ConfigValue {
  compatibilityLevel: string;
  normalize?: boolean;
}

export type RegistryKey =
  | { keytype: 'SCHEMA'; subject: string; version: number; magic: number }
  | { keytype: 'CONFIG'; subject: string | null; magic: number }
  | { keytype: 'MODE'; subject: string | null; magic: number }
  | { keytype: 'NOOP'; magic: number }
  | { keytype: 'DELETE_SUBJECT'; subject: string; magic: number }
  | { keytype: 'CLEAR_SUBJECT'; subject: string; magic: number };

export type RegistryRecord =
  | { keytype: 'SCHEMA'; subject: string; version: number; value: SchemaValue | null }
  | { keytype: 'CONFIG'; subject: string | null; value: ConfigValue | null }
  | { keytype: 'MODE'; subject: string | null; value: { mode: string } | null }
  | { keytype: 'NOOP' }
  | { keytype: 'DELETE_SUBJECT'; subject: string; value: { subject: string; version: number } | null }
  | { keytype: 'CLEAR_SUBJECT'; subject: string; value: { subject: string } | null }
  | { keytype: 'UNKNOWN' };

export const schemaKey = (subject: string, version: number): string =>
  JSON.stringify({ keytype: 'SCHEMA', subject, version, magic: 1 });
export const configKey = (subject: string | null): string => JSON.stringify({ keytype: 'CONFIG', subject, magic: 0 });
export const modeKey = (subject: string | null): string => JSON.stringify({ keytype: 'MODE', subject, magic: 0 });
export const noopKey = (): string => JSON.stringify({ keytype: 'NOOP', magic: 0 });
export const deleteSubjectKey = (subject: string): string => JSON.stringify({ keytype: 'DELETE_SUBJECT', subject, magic: 0 });
export const clearSubjectKey = (subject: string): string => JSON.stringify({ keytype: 'CLEAR_SUBJECT', subject, magic: 0 });

/** SCHEMA value as Confluent writes it: `schemaType` omitted for AVRO, empty `references` omitted. */
export function encodeSchemaValue(v: SchemaValue): string {
  const out: Record<string, unknown> = { subject: v.subject, version: v.version, id: v.id };
  if (v.schemaType !== 'AVRO') out['schemaType'] = v.schemaType;
  if (v.references.length > 0) out['references'] = v.references;
  out['schema'] = v.schema;
  out['deleted'] = v.deleted;
  return JSON.stringify(out);
}

export function encodeConfigValue(subject: string | null, v: ConfigValue): string {
  const out: Record<string, unknown> = {};
  if (subject !== null) out['subject'] = subject;
  out['compatibilityLevel'] = v.compatibilityLevel;
  if (v.normalize !== undefined) out['normalize'] = v.normalize;
  return JSON.stringify(out);
}

export function encodeModeValue(subject: string | null, mode: string): string {
  return JSON.stringify(subject === null ? { mode } : { subject, mode });
}

function asObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  const v: unknown = JSON.parse(text);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);

function decodeReferences(v: unknown): SchemaReference[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((r: unknown) => {
    const o = r as Record<string, unknown> | null;
    if (o === null || typeof o !== 'object') return [];
    const name = str(o['name']), subject = str(o['subject']), version = int(o['version']);
    return name !== null && subject !== null && version !== null ? [{ name, subject, version }] : [];
  });
}

/**
 * Decodes one `_schemas` record. Throws on JSON that is not an object key (the caller logs and
 * skips it, as Confluent's reader does for records it cannot deserialize).
 */
export function decodeRecord(keyText: string, valueText: string | null): RegistryRecord {
  const key = asObject(keyText);
  if (key === null) throw new Error(`_schemas key is not a JSON object: ${keyText.slice(0, 200)}`);
  const value = asObject(valueText);
  const subjectOrNull = str(key['subject']);
  switch (key['keytype']) {
    case 'SCHEMA': {
      const subject = subjectOrNull, version = int(key['version']);
      if (subject === null || version === null) throw new Error(`bad SCHEMA key ${keyText}`);
      if (value === null) return { keytype: 'SCHEMA', subject, version, value: null };
      const id = int(value['id']), schema = str(value['schema']);
      if (id === null || schema === null) throw new Error(`bad SCHEMA value for ${keyText}`);
      const schemaType = (str(value['schemaType']) ?? 'AVRO') as SchemaType;
      return {
        keytype: 'SCHEMA', subject, version,
        value: { subject, version, id, schemaType, references: decodeReferences(value['references']), schema, deleted: value['deleted'] === true },
      };
    }
    case 'CONFIG': {
      const level = value === null ? null : str(value['compatibilityLevel']);
      const normalize = value !== null && typeof value['normalize'] === 'boolean' ? value['normalize'] : undefined;
      return { keytype: 'CONFIG', subject: subjectOrNull, value: level === null ? null : { compatibilityLevel: level, ...(normalize !== undefined ? { normalize } : {}) } };
    }
    case 'MODE': {
      const mode = value === null ? null : str(value['mode']);
      return { keytype: 'MODE', subject: subjectOrNull, value: mode === null ? null : { mode } };
    }
    case 'NOOP': return { keytype: 'NOOP' };
    case 'DELETE_SUBJECT': {
      if (subjectOrNull === null) throw new Error(`bad DELETE_SUBJECT key ${keyText}`);
      const version = value === null ? null : int(value['version']);
      return { keytype: 'DELETE_SUBJECT', subject: subjectOrNull, value: version === null ? null : { subject: subjectOrNull, version } };
    }
    case 'CLEAR_SUBJECT':
      if (subjectOrNull === null) throw new Error(`bad CLEAR_SUBJECT key ${keyText}`);
      return { keytype: 'CLEAR_SUBJECT', subject: subjectOrNull, value: value === null ? null : { subject: subjectOrNull } };
    default: return { keytype: 'UNKNOWN' };
  }
}
