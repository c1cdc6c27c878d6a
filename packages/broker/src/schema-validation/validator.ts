/**
 * Broker-side schema validation of produced records (Confluent Server's behaviour, plus our strict
 * mode). Per record and per validated part (key and/or value):
 * - null: passes in `id` mode (tombstones, as Confluent Server); in `strict` mode it is rejected,
 *   except a null value on a compacted topic (a tombstone is the only way to delete there);
 * - otherwise it must be framed: magic byte 0 and a 4-byte big-endian schema id;
 * - the id must be registered under the subject the topic's strategy derives (TopicNameStrategy:
 *   `<topic>-key|value`; RecordNameStrategy: the schema's record name; TopicRecordNameStrategy:
 *   `<topic>-<record name>`; the record name is the Avro full name, the JSON Schema `title`, or
 *   the Protobuf package + first message; default context only);
 * - strict mode: Avro payloads must decode against the schema with no trailing bytes (avsc;
 *   references resolved); JSON payloads must parse as JSON (not validated against the schema);
 *   Protobuf payloads are checked by id only (not implemented).
 *
 * `check` is synchronous and answers from the cache; when ids are missing or stale it says which,
 * and the caller awaits `load` and checks again. The cache is keyed by schema id (one entry answers
 * every subject), entries live SCHEMA_CACHE_TTL_MS, and a miss (unknown id, or id not under the
 * subject) refreshes the entry, at most once per SCHEMA_MISS_REFRESH_MS per id: a schema registered
 * just before the produce is seen, and a stream of bad records does not hammer the registry.
 */
import avro from 'avsc';
import { decodeRecordBatches } from '@tributary/protocol';
import type { ProduceResponseBatchIndexAndErrorMessage } from '@tributary/protocol/generated/index.ts';
import type { TopicConfig } from '../config/index.ts';
import { subjectNameStrategyOf, type SchemaValidationMode, type SubjectNameStrategy } from './names.ts';
import { RegistryClient, type RegisteredSchema } from './registry-client.ts';

export const SCHEMA_CACHE_TTL_MS = 30_000;
export const SCHEMA_MISS_REFRESH_MS = 500;
export const SCHEMA_CACHE_ENTRIES_MAX = 10_000;
/** recordErrors listed per partition at most (the rest are summarised in the message). */
export const RECORD_ERRORS_MAX = 100;
/** Magic byte + 4-byte schema id. */
const FRAMING_BYTES = 5;

interface Entry {
  readonly fetchedAtMs: number;
  /** When a miss last caused a refresh (-Infinity: never); at most one such refresh per SCHEMA_MISS_REFRESH_MS. */
  readonly missRefreshedAtMs: number;
  /** Undefined: the registry does not know the id. */
  readonly schema: RegisteredSchema | undefined;
  readonly recordName: string | undefined;
  /** Strict mode: references were fetched and the decoder built (or `strictProblem` says why not). */
  readonly strictReady: boolean;
  readonly avroType: avro.Type | undefined;
  readonly strictProblem: string | undefined;
}

interface PartRule {
  readonly part: 'key' | 'value';
  readonly strategy: SubjectNameStrategy;
  readonly mode: SchemaValidationMode;
}

export type Verdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'invalid'; readonly message: string; readonly recordErrors: ProduceResponseBatchIndexAndErrorMessage[] }
  | { readonly kind: 'lookup'; readonly ids: readonly number[]; readonly misses: ReadonlySet<number>; readonly strict: boolean };

/** What one check found it must load: ids, which of them are refreshes after a miss, whether strict decoders are needed. */
interface Lookup { readonly ids: Set<number>; readonly misses: Set<number>; strict: boolean }

export class SchemaValidator {
  private readonly client: RegistryClient;
  private readonly cache = new Map<number, Entry>();
  private readonly loading = new Map<number, Promise<void>>();

  constructor(urls: readonly string[]) {
    this.client = new RegistryClient(urls);
  }

  /** The validated parts of a topic, or an empty list when validation is off. */
  static rules(config: TopicConfig): PartRule[] {
    const rules: PartRule[] = [];
    for (const part of ['key', 'value'] as const) {
      if (part === 'key' ? !config.keySchemaValidation : !config.valueSchemaValidation) continue;
      rules.push({
        part,
        strategy: subjectNameStrategyOf(config.string(`confluent.${part}.subject.name.strategy`)) ?? 'TopicNameStrategy',
        mode: config.string(`tributary.${part}.schema.validation.mode`) as SchemaValidationMode,
      });
    }
    return rules;
  }

  /** Checks every record of `records` (one partition's batches) from the cache alone. */
  check(topic: string, rules: readonly PartRule[], compacted: boolean, records: Buffer, nowMs: number): Verdict {
    const errors: ProduceResponseBatchIndexAndErrorMessage[] = [];
    let errorCount = 0;
    const lookup: Lookup = { ids: new Set(), misses: new Set(), strict: false };
    let index = 0;
    for (const batch of decodeRecordBatches(records, { verifyCrc: false })) {
      for (const record of batch.records) {
        for (const rule of rules) {
          const r = this.checkPart(topic, rule, compacted, record[rule.part], nowMs, lookup);
          if (r === undefined) continue;
          if (errorCount++ < RECORD_ERRORS_MAX) errors.push({ batchIndex: index, batchIndexErrorMessage: r });
        }
        index++;
      }
    }
    if (errorCount > 0) {
      const more = errorCount > 1 ? ` (and ${errorCount - 1} more)` : '';
      return { kind: 'invalid', message: `Schema validation failed on topic ${topic}: record ${errors[0]!.batchIndex}: ${errors[0]!.batchIndexErrorMessage}${more}`, recordErrors: errors };
    }
    if (lookup.ids.size > 0) return { kind: 'lookup', ids: [...lookup.ids], misses: lookup.misses, strict: lookup.strict };
    return { kind: 'ok' };
  }

  /** undefined: passes or must be (re)loaded first (added to `lookup`); a string: the problem. */
  private checkPart(
    topic: string, rule: PartRule, compacted: boolean, bytes: Buffer | null, nowMs: number, lookup: Lookup,
  ): string | undefined {
    if (bytes === null) {
      if (rule.mode === 'id' || (rule.part === 'value' && compacted)) return undefined;
      return `null ${rule.part} (strict schema validation needs a framed ${rule.part})`;
    }
    if (bytes.length < FRAMING_BYTES || bytes[0] !== 0) {
      return `${rule.part} is not in the Schema Registry wire format (magic byte 0 and a 4-byte schema id)`;
    }
    const id = bytes.readInt32BE(1);
    if (id <= 0) return `${rule.part} schema id ${id} is not a valid schema id`;
    const load = (miss: boolean): undefined => {
      lookup.ids.add(id);
      if (miss) lookup.misses.add(id);
      if (rule.mode === 'strict') lookup.strict = true;
      return undefined;
    };
    const entry = this.cache.get(id);
    if (entry === undefined || nowMs - entry.fetchedAtMs > SCHEMA_CACHE_TTL_MS) return load(false);
    // A miss refreshes the entry once (it may predate a registration), then not again for a while.
    const mayRefresh = nowMs - entry.missRefreshedAtMs >= SCHEMA_MISS_REFRESH_MS;
    if (entry.schema === undefined) return mayRefresh ? load(true) : `${rule.part} schema id ${id} is not registered`;
    const subject = subjectFor(rule, topic, entry.recordName);
    if (subject === undefined) return `${rule.part} schema id ${id} has no record name for ${rule.strategy}`;
    if (!entry.schema.subjects.has(subject)) {
      return mayRefresh ? load(true) : `${rule.part} schema id ${id} is not registered under subject ${subject}`;
    }
    if (rule.mode !== 'strict') return undefined;
    if (!entry.strictReady) return load(false);
    if (entry.strictProblem !== undefined) return `${rule.part} schema id ${id}: ${entry.strictProblem}`;
    return payloadProblem(entry, bytes, id, rule.part);
  }

  /** Fetches (or refreshes) the given ids; concurrent loads of one id share a request. Throws RegistryUnavailableError. */
  async load(ids: readonly number[], misses: ReadonlySet<number>, strict: boolean, nowMs: () => number): Promise<void> {
    await Promise.all(ids.map((id) => {
      let p = this.loading.get(id);
      if (p === undefined) {
        p = this.loadOne(id, misses.has(id), strict, nowMs).finally(() => this.loading.delete(id));
        this.loading.set(id, p);
      }
      return p;
    }));
  }

  private async loadOne(id: number, miss: boolean, strict: boolean, nowMs: () => number): Promise<void> {
    const schema = await this.client.schemaById(id, strict);
    let avroType: avro.Type | undefined;
    let strictProblem: string | undefined;
    if (strict && schema !== undefined) {
      try {
        avroType = buildDecoder(schema);
      } catch (e) {
        strictProblem = `the registered schema cannot be used to decode: ${(e as Error).message}`;
      }
    }
    if (this.cache.size >= SCHEMA_CACHE_ENTRIES_MAX) this.cache.delete(this.cache.keys().next().value!);
    const now = nowMs();
    const missRefreshedAtMs = miss ? now : this.cache.get(id)?.missRefreshedAtMs ?? -Infinity;
    this.cache.delete(id); // re-insert: Map order is the eviction order
    this.cache.set(id, {
      fetchedAtMs: now, missRefreshedAtMs, schema, recordName: schema === undefined ? undefined : recordNameOf(schema),
      strictReady: strict, avroType, strictProblem,
    });
  }
}

function subjectFor(rule: PartRule, topic: string, recordName: string | undefined): string | undefined {
  switch (rule.strategy) {
    case 'TopicNameStrategy': return `${topic}-${rule.part}`;
    case 'RecordNameStrategy': return recordName;
    case 'TopicRecordNameStrategy': return recordName === undefined ? undefined : `${topic}-${recordName}`;
  }
}

/** Strict mode: why the payload after the framing does not match the schema, or undefined. */
function payloadProblem(entry: Entry, bytes: Buffer, id: number, part: string): string | undefined {
  const type = entry.schema!.schemaType;
  if (type === 'AVRO') {
    try {
      const { offset } = entry.avroType!.decode(bytes, FRAMING_BYTES);
      if (offset < 0) return `${part} is truncated for Avro schema id ${id}`;
      if (offset !== bytes.length) return `${part} has ${bytes.length - offset} trailing bytes after the Avro datum of schema id ${id}`;
      return undefined;
    } catch (e) {
      return `${part} does not decode with Avro schema id ${id}: ${(e as Error).message}`;
    }
  }
  if (type === 'JSON') {
    try {
      JSON.parse(bytes.toString('utf8', FRAMING_BYTES));
      return undefined;
    } catch {
      return `${part} is not JSON (schema id ${id})`;
    }
  }
  return undefined; // PROTOBUF: checked by id only
}

/** The Avro decoder of a schema, its references registered first (JSON/Protobuf need none). */
function buildDecoder(schema: RegisteredSchema): avro.Type | undefined {
  if (schema.schemaType !== 'AVRO') return undefined;
  const registry: Record<string, avro.Type> = {};
  for (const text of schema.referenced.values()) avro.Type.forSchema(JSON.parse(text) as avro.Schema, { registry });
  return avro.Type.forSchema(JSON.parse(schema.schema) as avro.Schema, { registry });
}

/** The record name the record-name strategies use, or undefined when the schema has none. */
export function recordNameOf(schema: Pick<RegisteredSchema, 'schemaType' | 'schema'>): string | undefined {
  if (schema.schemaType === 'PROTOBUF') {
    const pkg = /^\s*package\s+([\w.]+)\s*;/m.exec(schema.schema)?.[1];
    const message = /^\s*message\s+(\w+)/m.exec(schema.schema)?.[1];
    return message === undefined ? undefined : pkg === undefined ? message : `${pkg}.${message}`;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema.schema);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const o = parsed as { name?: unknown; namespace?: unknown; title?: unknown };
  if (schema.schemaType === 'JSON') return typeof o.title === 'string' ? o.title : undefined;
  if (typeof o.name !== 'string') return undefined;
  return o.name.includes('.') || typeof o.namespace !== 'string' || o.namespace === '' ? o.name : `${o.namespace}.${o.name}`;
}
