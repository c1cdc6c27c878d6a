// Serializers: value → Confluent-framed bytes. Per topic, the first call picks the subject (by the
// subject name strategy) and the schema id (register, look up, or use the subject's latest version),
// then caches both; later calls only encode. Registry failures surface as SchemaRegistryError,
// bad values as SerdeError('VALIDATION_FAILED').
import { SerdeError } from './errors.ts';
import { AvroWriter, compileAvro, type AvroCompiled } from './avro.ts';
import { compileJson, validateJson, writeJson, type JsonCompiled } from './json.ts';
import { compileProtobuf, pickMessage, writeProtobuf, type ProtobufMessage } from './protobuf.ts';
import { resolveReferences, type ResolvedReference } from './references.ts';
import type { Schema, SchemaReference, SchemaRegistryClient, SchemaType } from './registry-client.ts';
import { needsRecordName, subjectName, type SubjectNameStrategy } from './subject-name.ts';

/** Topics whose subject and id one serializer remembers; beyond it the oldest is forgotten. */
export const DEFAULT_TOPICS_MAX = 1000;

export interface SerializerOptions {
  /** The writer schema: Avro / JSON Schema as text or object, Protobuf as .proto text. Optional only with useLatest. */
  schema?: string | object;
  references?: SchemaReference[];
  /** Serialize keys (subject suffix `-key`) rather than values. Default false. */
  isKey?: boolean;
  /** Default 'topic'. */
  subjectNameStrategy?: SubjectNameStrategy;
  /** Register the schema under the subject on first use. Default true (ignored with useLatest). */
  autoRegister?: boolean;
  /** Write with the subject's latest registered version instead of `schema`. Default false. */
  useLatest?: boolean;
  /** Record name for the record strategies when it cannot come from `schema`. */
  recordName?: string;
  topicsMax?: number;
}

interface Target<C> { id: number; compiled: C }

abstract class Serializer<C> {
  protected abstract readonly schemaType: SchemaType;
  private readonly targets = new Map<string, Target<C>>();
  private readonly pending = new Map<string, Promise<Target<C>>>();
  private local: Promise<C> | undefined;
  private readonly strategy: SubjectNameStrategy;

  constructor(protected readonly registry: SchemaRegistryClient, protected readonly opts: SerializerOptions) {
    this.strategy = opts.subjectNameStrategy ?? 'topic';
    if (opts.schema === undefined && !opts.useLatest) throw new SerdeError('INVALID_CONFIG', 'a serializer needs a schema unless useLatest is set');
    if (opts.schema === undefined && needsRecordName(this.strategy) && opts.recordName === undefined) {
      throw new SerdeError('INVALID_CONFIG', 'with useLatest and no schema, the record strategies need the recordName option');
    }
  }

  protected abstract compile(schema: string | object, refs: readonly ResolvedReference[]): C;
  protected abstract recordNameOf(compiled: C): string | undefined;
  protected abstract write(compiled: C, schemaId: number, value: unknown): Buffer;

  /** Frames `value` for `topic`; the first call per topic talks to the registry. */
  async serialize(topic: string, value: unknown): Promise<Buffer> {
    const target = this.targets.get(topic) ?? (await this.target(topic));
    return this.write(target.compiled, target.id, value);
  }

  /** The subject this serializer writes `topic`'s records under. */
  async subjectFor(topic: string): Promise<string> {
    const local = this.opts.schema !== undefined ? await this.localCompiled() : undefined;
    const recordName = this.opts.recordName ?? (local !== undefined ? this.recordNameOf(local) : undefined);
    return subjectName(this.strategy, { topic, isKey: this.opts.isKey ?? false, recordName });
  }

  private localSchema(): Schema {
    const s = this.opts.schema!;
    return { schema: typeof s === 'string' ? s : JSON.stringify(s), schemaType: this.schemaType, references: this.opts.references ?? [] };
  }

  private localCompiled(): Promise<C> {
    this.local ??= resolveReferences(this.registry, this.opts.references ?? [])
      .then((refs) => this.compile(this.opts.schema!, refs))
      .catch((err: unknown) => { this.local = undefined; throw err; });
    return this.local;
  }

  private target(topic: string): Promise<Target<C>> {
    let p = this.pending.get(topic);
    if (p === undefined) {
      p = this.resolveTarget(topic).finally(() => this.pending.delete(topic));
      this.pending.set(topic, p);
    }
    return p;
  }

  private async resolveTarget(topic: string): Promise<Target<C>> {
    const subject = await this.subjectFor(topic);
    let target: Target<C>;
    if (this.opts.useLatest) {
      const latest = await this.registry.getLatest(subject);
      if (latest.schemaType !== this.schemaType) {
        throw new SerdeError('SCHEMA_TYPE_MISMATCH', `latest schema of ${subject} is ${latest.schemaType}, this serializer writes ${this.schemaType}`);
      }
      const refs = await resolveReferences(this.registry, latest.references);
      target = { id: latest.id, compiled: this.compile(latest.schema, refs) };
    } else {
      const compiled = await this.localCompiled();
      const id = this.opts.autoRegister ?? true
        ? await this.registry.register(subject, this.localSchema())
        : (await this.registry.lookup(subject, this.localSchema())).id;
      target = { id, compiled };
    }
    this.targets.set(topic, target);
    if (this.targets.size > (this.opts.topicsMax ?? DEFAULT_TOPICS_MAX)) this.targets.delete(this.targets.keys().next().value as string);
    return target;
  }
}

export class AvroSerializer extends Serializer<AvroCompiled> {
  protected readonly schemaType = 'AVRO';
  private readonly writer = new AvroWriter();
  protected compile(schema: string | object, refs: readonly ResolvedReference[]): AvroCompiled { return compileAvro(schema, refs); }
  protected recordNameOf(c: AvroCompiled): string { return c.recordName; }
  protected write(c: AvroCompiled, id: number, value: unknown): Buffer { return this.writer.write(c.type, id, value); }
}

export interface JsonSerializerOptions extends SerializerOptions {
  /** Validate each value against the schema before writing it. Default true. */
  validate?: boolean;
}

export class JsonSerializer extends Serializer<JsonCompiled> {
  protected readonly schemaType = 'JSON';
  private readonly validate: boolean;
  constructor(registry: SchemaRegistryClient, opts: JsonSerializerOptions) {
    super(registry, opts);
    this.validate = opts.validate ?? true;
  }
  protected compile(schema: string | object, refs: readonly ResolvedReference[]): JsonCompiled { return compileJson(schema, refs); }
  protected recordNameOf(c: JsonCompiled): string | undefined { return c.recordName; }
  protected write(c: JsonCompiled, id: number, value: unknown): Buffer {
    if (this.validate) validateJson(c, value);
    return writeJson(id, value);
  }
}

export interface ProtobufSerializerOptions extends SerializerOptions {
  schema?: string;
  /** The message to write (fully qualified or unique suffix). Default the file's first message. */
  messageName?: string;
  /**
   * Write the message-index list (Confluent's format). Default true. false writes header + body only,
   * which is what @kafkajs/confluent-schema-registry 3.x produces and expects.
   */
  messageIndexes?: boolean;
}

export class ProtobufSerializer extends Serializer<ProtobufMessage> {
  protected readonly schemaType = 'PROTOBUF';
  private readonly messageName: string | undefined;
  private readonly indexes: boolean;
  constructor(registry: SchemaRegistryClient, opts: ProtobufSerializerOptions) {
    super(registry, opts);
    this.messageName = opts.messageName;
    this.indexes = opts.messageIndexes ?? true;
  }
  protected compile(schema: string | object, refs: readonly ResolvedReference[]): ProtobufMessage {
    if (typeof schema !== 'string') throw new SerdeError('INVALID_SCHEMA', 'a Protobuf schema is .proto text');
    return pickMessage(compileProtobuf(schema, refs), this.messageName);
  }
  protected recordNameOf(m: ProtobufMessage): string { return m.fullName; }
  protected write(m: ProtobufMessage, id: number, value: unknown): Buffer { return writeProtobuf(m, id, value, this.indexes); }
}
