// Avro: parsing through avsc (which validates names and defaults), and the canonical text Confluent
// stores, which is Java-Avro's `Schema.toString()`: compact JSON, attributes in Java's order, doc,
// aliases, defaults and custom properties kept, names written relative to the enclosing namespace.
// Named types that come from references stay names, as in the registered text (Confluent passes them
// to `toString(referencedSchemas, false)`), never inlined.
import avsc from 'avsc';
import type { Type } from 'avsc';
import {
  SchemaParseError,
  isPlainObject,
  parseJsonText,
  referenceDepthMax,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaReference,
} from './types.ts';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const SCHEMA_RESERVED = new Set(['type', 'name', 'namespace', 'fields', 'items', 'values', 'symbols', 'size', 'doc', 'aliases']);
const FIELD_RESERVED = new Set(['name', 'type', 'doc', 'default', 'order', 'aliases']);

export interface AvroParsedSchema extends ParsedSchema {
  readonly type: 'AVRO';
  /** The avsc type, parsed without logical types (schema resolution ignores them). */
  readonly avroType: Type;
  /** The resolved references this schema was parsed with (kept for normalization and serdes). */
  readonly resolved: readonly ResolvedReference[];
}

/** Parses the JSON text of referenced schemas (depth first) into `registry`. */
function loadReferences(
  resolved: readonly ResolvedReference[],
  registry: Record<string, Type>,
  depth: number,
): void {
  if (depth > referenceDepthMax) throw new SchemaParseError(`References nest deeper than ${referenceDepthMax}`);
  for (const ref of resolved) {
    if (ref.schemaType !== 'AVRO') {
      throw new SchemaParseError(`Reference ${ref.name} is of type ${ref.schemaType}, not AVRO`);
    }
    loadReferences(ref.references, registry, depth + 1);
    const json = parseJsonText(ref.schema);
    if (isPlainObject(json) && typeof json['name'] === 'string' && registry[fullNameOf(json, undefined)]) continue;
    try {
      avsc.Type.forSchema(json as avsc.Schema, { registry });
    } catch (err) {
      throw new SchemaParseError(`Invalid reference ${ref.name}: ${(err as Error).message}`, { cause: err });
    }
  }
}

export function parseAvro(
  raw: string,
  references: readonly SchemaReference[],
  resolved: readonly ResolvedReference[],
  normalized = false,
): AvroParsedSchema {
  const registry: Record<string, Type> = {};
  loadReferences(resolved, registry, 0);
  const json = parseJsonText(raw);
  let avroType: Type;
  try {
    avroType = avsc.Type.forSchema(json as avsc.Schema, { registry });
  } catch (err) {
    throw new SchemaParseError((err as Error).message, { cause: err });
  }
  const writer = new AvroJsonWriter(normalized);
  const canonical = writer.write(json, undefined);
  return { type: 'AVRO', raw, canonical, references: [...references], avroType, resolved };
}

/** Rebuilds the schema deterministically (Confluent's `normalize=true`): full names, sorted aliases and props. */
export function normalizeAvro(parsed: AvroParsedSchema): AvroParsedSchema {
  const again = parseAvro(parsed.raw, parsed.references, parsed.resolved, true);
  const refs = dedupeReferences(parsed.references);
  return { ...again, raw: again.canonical, references: refs };
}

function dedupeReferences(refs: readonly SchemaReference[]): SchemaReference[] {
  const seen = new Map<string, SchemaReference>();
  for (const r of refs) seen.set(`${r.name}\u0000${r.subject}\u0000${r.version}`, r);
  return [...seen.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version,
  );
}

/** Builds a fresh avsc type for this schema with the given options (e.g. logical types for serdes). */
export function buildAvroType(parsed: AvroParsedSchema, options: Partial<avsc.ForSchemaOptions> = {}): Type {
  const registry: Record<string, Type> = {};
  const load = (refs: readonly ResolvedReference[]): void => {
    for (const r of refs) {
      load(r.references);
      const json = JSON.parse(r.schema) as unknown;
      if (isPlainObject(json) && typeof json['name'] === 'string' && registry[fullNameOf(json, undefined)]) continue;
      avsc.Type.forSchema(json as avsc.Schema, { ...options, registry });
    }
  };
  load(parsed.resolved);
  return avsc.Type.forSchema(JSON.parse(parsed.raw) as avsc.Schema, { ...options, registry });
}

function splitName(name: string, space: string | undefined): { short: string; space: string | undefined } {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) return { short: name.slice(dot + 1), space: name.slice(0, dot) || undefined };
  return { short: name, space };
}

function fullNameOf(node: Record<string, unknown>, enclosing: string | undefined): string {
  const ns = typeof node['namespace'] === 'string' ? node['namespace'] || undefined : enclosing;
  const { short, space } = splitName(String(node['name']), ns);
  return space ? `${space}.${short}` : short;
}

function resolveName(name: string, space: string | undefined): string {
  if (name.includes('.') || !space) return name;
  return `${space}.${name}`;
}

/** Java's `Name.getQualified(defaultSpace)`. */
function qualify(full: string, space: string | undefined): string {
  const { short, space: own } = splitName(full, undefined);
  return own === space || own === undefined ? short : full;
}

function str(s: string): string {
  return JSON.stringify(s);
}

class AvroJsonWriter {
  constructor(private readonly normalized: boolean) {}

  write(node: unknown, space: string | undefined): string {
    if (typeof node === 'string') return this.writeNameOrPrimitive(node, space);
    if (Array.isArray(node)) return `[${node.map((b) => this.write(b, space)).join(',')}]`;
    if (!isPlainObject(node)) throw new SchemaParseError(`Not a schema: ${JSON.stringify(node)}`);
    const type = node['type'];
    if (typeof type !== 'string') return this.write(type, space);
    switch (type) {
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed':
        return this.writeNamed(node, type, space);
      case 'array':
        return this.object([['type', str('array')], ['items', this.write(node['items'], space)], ...this.props(node, SCHEMA_RESERVED)]);
      case 'map':
        return this.object([['type', str('map')], ['values', this.write(node['values'], space)], ...this.props(node, SCHEMA_RESERVED)]);
      default: {
        if (!PRIMITIVES.has(type)) return this.writeNameOrPrimitive(type, space);
        const props = this.props(node, SCHEMA_RESERVED);
        return props.length === 0 ? str(type) : this.object([['type', str(type)], ...props]);
      }
    }
  }

  private writeNameOrPrimitive(name: string, space: string | undefined): string {
    if (PRIMITIVES.has(name)) return str(name);
    const full = resolveName(name, space);
    return str(this.normalized ? full : qualify(full, space));
  }

  private writeNamed(node: Record<string, unknown>, type: string, enclosing: string | undefined): string {
    const full = fullNameOf(node, enclosing);
    const { short, space } = splitName(full, undefined);
    const entries: [string, string][] = [];
    if (this.normalized) {
      entries.push(['name', str(full)], ['type', str(type)]);
    } else {
      entries.push(['type', str(type)], ['name', str(short)]);
      if (space !== undefined && space !== enclosing) entries.push(['namespace', str(space)]);
      else if (space === undefined && enclosing !== undefined) entries.push(['namespace', str('')]);
    }
    const doc = typeof node['doc'] === 'string' ? str(node['doc']) : undefined;
    if (doc !== undefined && !this.normalized) entries.push(['doc', doc]);
    if (type === 'record' || type === 'error') {
      const fields = Array.isArray(node['fields']) ? node['fields'] : [];
      entries.push(['fields', `[${fields.map((f) => this.writeField(f, space)).join(',')}]`]);
    } else if (type === 'enum') {
      entries.push(['symbols', JSON.stringify(node['symbols'] ?? [])]);
    } else {
      entries.push(['size', JSON.stringify(node['size'])]);
    }
    const aliases = this.aliases(node['aliases'], space);
    const enumDefault = type === 'enum' && typeof node['default'] === 'string' ? str(node['default']) : undefined;
    const reserved = type === 'enum' ? new Set([...SCHEMA_RESERVED, 'default']) : SCHEMA_RESERVED;
    if (this.normalized) {
      if (doc !== undefined) entries.push(['doc', doc]);
      if (aliases) entries.push(['aliases', aliases]);
      if (enumDefault !== undefined) entries.push(['default', enumDefault]);
      entries.push(...this.props(node, reserved));
    } else {
      if (enumDefault !== undefined) entries.push(['default', enumDefault]);
      entries.push(...this.props(node, reserved));
      if (aliases) entries.push(['aliases', aliases]);
    }
    return this.object(entries);
  }

  private writeField(field: unknown, space: string | undefined): string {
    if (!isPlainObject(field)) throw new SchemaParseError(`Not a field: ${JSON.stringify(field)}`);
    const entries: [string, string][] = [['name', str(String(field['name']))], ['type', this.write(field['type'], space)]];
    const doc = typeof field['doc'] === 'string' ? str(field['doc']) : undefined;
    const def = 'default' in field ? JSON.stringify(field['default']) : undefined;
    const order = typeof field['order'] === 'string' && field['order'] !== 'ascending' ? str(field['order']) : undefined;
    let aliases = Array.isArray(field['aliases']) ? (field['aliases'] as unknown[]).map(String) : [];
    if (this.normalized) aliases = [...aliases].sort();
    const aliasText = aliases.length > 0 ? JSON.stringify(aliases) : undefined;
    const ordered: [string, string | undefined][] = this.normalized
      ? [['default', def], ['order', order], ['doc', doc], ['aliases', aliasText]]
      : [['doc', doc], ['default', def], ['order', order], ['aliases', aliasText]];
    for (const [k, v] of ordered) if (v !== undefined) entries.push([k, v]);
    entries.push(...this.props(field, FIELD_RESERVED));
    return this.object(entries);
  }

  private aliases(value: unknown, space: string | undefined): string | undefined {
    if (!Array.isArray(value) || value.length === 0) return undefined;
    const fulls = value.map((a) => resolveName(String(a), space));
    const out = this.normalized ? [...fulls].sort() : fulls.map((f) => qualify(f, space));
    return JSON.stringify(out);
  }

  private props(node: Record<string, unknown>, reserved: ReadonlySet<string>): [string, string][] {
    const keys = Object.keys(node).filter((k) => !reserved.has(k));
    if (this.normalized) keys.sort((a, b) => propRank(a) - propRank(b) || (a < b ? -1 : a > b ? 1 : 0));
    return keys.map((k) => [k, JSON.stringify(node[k])]);
  }

  private object(entries: [string, string][]): string {
    return `{${entries.map(([k, v]) => `${str(k)}:${v}`).join(',')}}`;
  }
}

/** Logical-type properties come first when normalizing, custom properties after them by key. */
function propRank(key: string): number {
  return key === 'logicalType' ? 0 : key === 'precision' ? 1 : key === 'scale' ? 2 : 3;
}
