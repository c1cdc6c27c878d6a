// Deserializers: Confluent-framed bytes → value. The writer schema is fetched by the id in the
// header (through the registry client's id cache) and compiled once per id. Avro resolves writer →
// reader when a reader schema is given; JSON optionally validates; Protobuf picks the message by its
// index list.
import type avsc from 'avsc';
import type protobuf from 'protobufjs';
import { SerdeError } from './errors.ts';
import { compileAvro, readAvro } from './avro.ts';
import { compileJson, readJson, validateJson, type JsonCompiled } from './json.ts';
import { compileProtobuf, pickMessage, readProtobuf, type ProtobufCompiled } from './protobuf.ts';
import { resolveReferences, type ResolvedReference } from './references.ts';
import type { SchemaRegistryClient, SchemaType } from './registry-client.ts';
import { HEADER_BYTES, decodeMessageIndexes, readSchemaId } from './wire.ts';

/** Writer schemas one deserializer keeps compiled; beyond it the oldest is dropped. */
export const DEFAULT_WRITERS_MAX = 1000;

export interface DeserializerOptions {
  writersMax?: number;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

abstract class Deserializer<C> {
  protected abstract readonly schemaType: SchemaType;
  private readonly writers = new Map<number, C>();
  private readonly pending = new Map<number, Promise<C>>();

  constructor(protected readonly registry: SchemaRegistryClient, private readonly writersMax: number = DEFAULT_WRITERS_MAX) {}

  protected abstract compile(schema: string, refs: readonly ResolvedReference[]): C;
  protected abstract read(compiled: C, buf: Buffer): unknown;

  /** Decodes framed bytes; an unknown id is a SchemaRegistryError with errorCode 40403. */
  async deserialize(bytes: Uint8Array): Promise<unknown> {
    const buf = asBuffer(bytes);
    const id = readSchemaId(buf);
    const compiled = this.writers.get(id) ?? (await this.writer(id));
    return this.read(compiled, buf);
  }

  private writer(id: number): Promise<C> {
    let p = this.pending.get(id);
    if (p === undefined) {
      p = this.loadWriter(id).finally(() => this.pending.delete(id));
      this.pending.set(id, p);
    }
    return p;
  }

  private async loadWriter(id: number): Promise<C> {
    const s = await this.registry.getSchemaById(id);
    if (s.schemaType !== this.schemaType) {
      throw new SerdeError('SCHEMA_TYPE_MISMATCH', `schema ${id} is ${s.schemaType}, this deserializer reads ${this.schemaType}`);
    }
    const compiled = this.compile(s.schema, await resolveReferences(this.registry, s.references));
    this.writers.set(id, compiled);
    if (this.writers.size > this.writersMax) this.writers.delete(this.writers.keys().next().value as number);
    return compiled;
  }
}

export interface AvroDeserializerOptions extends DeserializerOptions {
  /** Reader schema (text, object or avsc Type): values are resolved from the writer's schema to it. */
  readerSchema?: string | object | avsc.Type;
}

interface AvroReader { type: avsc.Type; resolver: avsc.Resolver | undefined }

export class AvroDeserializer extends Deserializer<AvroReader> {
  protected readonly schemaType = 'AVRO';
  private readonly reader: avsc.Type | undefined;

  constructor(registry: SchemaRegistryClient, opts: AvroDeserializerOptions = {}) {
    super(registry, opts.writersMax);
    const r = opts.readerSchema;
    this.reader = r === undefined ? undefined : isAvroType(r) ? r : compileAvro(r).type;
  }

  protected compile(schema: string, refs: readonly ResolvedReference[]): AvroReader {
    const writer = compileAvro(schema, refs).type;
    if (this.reader === undefined) return { type: writer, resolver: undefined };
    try {
      return { type: this.reader, resolver: this.reader.createResolver(writer) };
    } catch (err) {
      throw new SerdeError('INVALID_SCHEMA', `reader schema cannot read the writer's: ${(err as Error).message}`, { cause: err });
    }
  }

  protected read(c: AvroReader, buf: Buffer): unknown { return readAvro(c.type, buf, HEADER_BYTES, c.resolver); }
}

function isAvroType(x: unknown): x is avsc.Type {
  return typeof x === 'object' && x !== null && typeof (x as { createResolver?: unknown }).createResolver === 'function';
}

export interface JsonDeserializerOptions extends DeserializerOptions {
  /** Validate each decoded value against the writer schema. Default false. */
  validate?: boolean;
}

export class JsonDeserializer extends Deserializer<JsonCompiled> {
  protected readonly schemaType = 'JSON';
  private readonly validate: boolean;
  constructor(registry: SchemaRegistryClient, opts: JsonDeserializerOptions = {}) {
    super(registry, opts.writersMax);
    this.validate = opts.validate ?? false;
  }
  protected compile(schema: string, refs: readonly ResolvedReference[]): JsonCompiled { return compileJson(schema, refs); }
  protected read(c: JsonCompiled, buf: Buffer): unknown {
    const value = readJson(buf, HEADER_BYTES);
    if (this.validate) validateJson(c, value);
    return value;
  }
}

export interface ProtobufDeserializerOptions extends DeserializerOptions {
  /** Convert decoded messages to plain objects with these options (e.g. `{ longs: String, enums: String }`). */
  toObject?: protobuf.IConversionOptions;
  /**
   * Expect the message-index list (Confluent's format). Default true. false reads header + body,
   * as @kafkajs/confluent-schema-registry 3.x writes it, decoding `messageName` or the first message.
   */
  messageIndexes?: boolean;
  messageName?: string;
}

export class ProtobufDeserializer extends Deserializer<ProtobufCompiled> {
  protected readonly schemaType = 'PROTOBUF';
  constructor(registry: SchemaRegistryClient, private readonly opts: ProtobufDeserializerOptions = {}) {
    super(registry, opts.writersMax);
  }
  protected compile(schema: string, refs: readonly ResolvedReference[]): ProtobufCompiled { return compileProtobuf(schema, refs); }
  protected read(c: ProtobufCompiled, buf: Buffer): unknown {
    let offset = HEADER_BYTES;
    let message;
    if (this.opts.messageIndexes === false) {
      message = pickMessage(c, this.opts.messageName);
    } else if (buf.length > HEADER_BYTES && buf[HEADER_BYTES] === 0) {
      message = c.first;
      offset += 1;
    } else {
      const { indexes, offset: after } = decodeMessageIndexes(buf, HEADER_BYTES);
      message = c.byIndexes.get(indexes.join(','));
      offset = after;
      if (message === undefined) throw new SerdeError('INVALID_PAYLOAD', `no message at index path [${indexes.join(', ')}] in the writer schema`);
    }
    if (message === undefined) throw new SerdeError('INVALID_PAYLOAD', 'the writer schema declares no message');
    const decoded = readProtobuf(message, buf, offset);
    return this.opts.toObject !== undefined ? message.type.toObject(decoded, this.opts.toObject) : decoded;
  }
}
