// Loads Kafka's JSON message specs into a resolved model the emitters (and the round-trip
// tests) walk. Version sets in the specs are always single ranges, so a Range is enough.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Inclusive version range; `hi` may be Infinity. Empty when lo > hi. */
export interface Range {
  readonly lo: number;
  readonly hi: number;
}

export const EMPTY: Range = { lo: 1, hi: 0 };

export type Primitive =
  | 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64'
  | 'string' | 'bytes' | 'records' | 'uuid';

const PRIMITIVES = new Set<string>([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64',
  'string', 'bytes', 'records', 'uuid',
]);

/** A spec default, resolved to a value kind the emitters can print and tests can build. */
export type DefaultSpec =
  | { kind: 'null' }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'zeroUuid' }
  | { kind: 'emptyBytes' }
  | { kind: 'emptyArray' }
  | { kind: 'struct'; struct: StructDef };

export interface FieldDef {
  readonly specName: string;
  /** Spec name with the first letter lowercased. */
  readonly prop: string;
  /** Element type for arrays. */
  readonly base: Primitive | 'struct';
  readonly array: boolean;
  /** Set when base is 'struct'. */
  struct: StructDef | null;
  /** Versions in which the field exists, clipped to its struct's versions. */
  versions: Range;
  readonly nullable: Range;
  readonly tagged: Range;
  readonly tag: number;
  /** Flexible versions for this field (the message's unless the field overrides it). */
  readonly flexible: Range;
  readonly explicitDefault: boolean;
  readonly dflt: DefaultSpec;
  readonly about: string;
  required: boolean;
}

export interface StructDef {
  /** TypeScript name: message name + struct name (the message name itself for the root). */
  readonly tsName: string;
  readonly specName: string;
  readonly fields: FieldDef[];
  /** Versions in which this struct can appear. */
  versions: Range;
  readonly isRoot: boolean;
}

export interface MessageDef {
  readonly file: string;
  readonly name: string;
  readonly type: 'request' | 'response' | 'header' | 'data';
  readonly apiKey: number | null;
  readonly valid: Range;
  readonly flexible: Range;
  readonly listeners: readonly string[];
  readonly latestVersionUnstable: boolean;
  readonly root: StructDef;
  /** Every struct of the message, root first, in first-reached order (deterministic). */
  readonly structs: StructDef[];
}

export function parseRange(s: string | undefined): Range {
  if (s === undefined || s === 'none' || s === '') return EMPTY;
  if (s.endsWith('+')) return { lo: Number(s.slice(0, -1)), hi: Infinity };
  const dash = s.indexOf('-');
  if (dash < 0) return { lo: Number(s), hi: Number(s) };
  return { lo: Number(s.slice(0, dash)), hi: Number(s.slice(dash + 1)) };
}

export const isEmpty = (r: Range): boolean => r.lo > r.hi;
export const intersect = (a: Range, b: Range): Range => ({ lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) });
export const contains = (outer: Range, inner: Range): boolean => isEmpty(inner) || (outer.lo <= inner.lo && inner.hi <= outer.hi);
export const inRange = (r: Range, v: number): boolean => v >= r.lo && v <= r.hi;
export function hull(a: Range, b: Range): Range {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

export function stripComments(text: string): string {
  // The specs never put `//` inside a string, so a line-wise strip is exact.
  return text.split('\n').map((line) => {
    const at = line.indexOf('//');
    return at < 0 ? line : line.slice(0, at);
  }).join('\n');
}

export const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

interface RawField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  flexibleVersions?: string;
  about?: string;
  fields?: RawField[];
}

interface RawMessage {
  apiKey?: number;
  type: MessageDef['type'];
  name: string;
  validVersions: string;
  flexibleVersions: string;
  listeners?: string[];
  latestVersionUnstable?: boolean;
  fields: RawField[];
  commonStructs?: { name: string; versions?: string; fields: RawField[] }[];
}

function parseNumber(text: string): number {
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  const n = Number(body);
  if (!Number.isFinite(n)) throw new Error(`bad numeric default ${text}`);
  return neg ? -n : n;
}

function resolveDefault(raw: RawField, base: FieldDef['base'], array: boolean, nullable: Range, struct: StructDef | null): DefaultSpec {
  const d = raw.default === undefined ? undefined : String(raw.default);
  if (d === 'null') return { kind: 'null' };
  if (array) {
    if (d !== undefined && d !== '') throw new Error(`array default ${d} on ${raw.name}`);
    return isEmpty(nullable) ? { kind: 'emptyArray' } : { kind: 'null' };
  }
  if (d === undefined && !isEmpty(nullable)) return { kind: 'null' };
  switch (base) {
    case 'bool': return { kind: 'bool', value: d === undefined ? false : d.toLowerCase() === 'true' };
    case 'string': return { kind: 'string', value: d ?? '' };
    case 'uuid': return { kind: 'zeroUuid' };
    case 'bytes': case 'records': return { kind: 'emptyBytes' };
    case 'struct': return { kind: 'struct', struct: struct! };
    default: return { kind: 'number', value: d === undefined || d === '' ? 0 : parseNumber(d) };
  }
}

class MessageBuilder {
  readonly structs: StructDef[] = [];
  private readonly byName = new Map<string, StructDef>();
  private readonly commonRaw = new Map<string, RawField[]>();

  constructor(private readonly raw: RawMessage, private readonly flexible: Range) {
    for (const cs of raw.commonStructs ?? []) this.commonRaw.set(cs.name, cs.fields);
  }

  struct(specName: string, rawFields: RawField[] | undefined, isRoot: boolean): StructDef {
    const existing = this.byName.get(specName);
    if (existing) {
      if (rawFields && !this.commonRaw.has(specName)) throw new Error(`${this.raw.name}: duplicate struct ${specName}`);
      return existing;
    }
    const fieldsRaw = rawFields ?? this.commonRaw.get(specName);
    if (!fieldsRaw) throw new Error(`${this.raw.name}: unknown struct type ${specName}`);
    const def: StructDef = {
      tsName: isRoot ? this.raw.name : this.raw.name + specName,
      specName, fields: [], versions: EMPTY, isRoot,
    };
    this.byName.set(specName, def);
    this.structs.push(def);
    for (const f of fieldsRaw) def.fields.push(this.field(f));
    return def;
  }

  private field(raw: RawField): FieldDef {
    const array = raw.type.startsWith('[]');
    const typeName = array ? raw.type.slice(2) : raw.type;
    const isPrim = PRIMITIVES.has(typeName);
    const struct = isPrim ? null : this.struct(typeName, raw.fields, false);
    const nullable = parseRange(raw.nullableVersions);
    const tagged = parseRange(raw.taggedVersions);
    const base = isPrim ? (typeName as Primitive) : 'struct';
    return {
      specName: raw.name,
      prop: lowerFirst(raw.name),
      base, array, struct,
      versions: parseRange(raw.versions),
      nullable, tagged,
      tag: raw.tag ?? -1,
      flexible: raw.flexibleVersions !== undefined ? parseRange(raw.flexibleVersions) : this.flexible,
      explicitDefault: raw.default !== undefined,
      dflt: resolveDefault(raw, base, array, nullable, struct),
      about: raw.about ?? '',
      required: false,
    };
  }
}

/**
 * Gives each struct the versions in which it can appear (inline: its field's versions; common:
 * the hull over every use), clips field versions to them, and derives `required`: present in
 * every version of its struct, never tagged, never nullable, no explicit default.
 */
function assignVersions(root: StructDef, valid: Range): void {
  const visit = (s: StructDef, range: Range): void => {
    const grown = hull(s.versions, range);
    if (grown.lo === s.versions.lo && grown.hi === s.versions.hi) return;
    s.versions = grown;
    for (const f of s.fields) {
      if (f.struct) visit(f.struct, intersect(f.versions, grown));
    }
  };
  visit(root, valid);
  const seen = new Set<StructDef>();
  const clip = (s: StructDef): void => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const f of s.fields) {
      f.versions = intersect(f.versions, s.versions);
      f.required = !isEmpty(f.versions) && contains(f.versions, s.versions) && isEmpty(f.tagged)
        && isEmpty(f.nullable) && !f.explicitDefault;
      if (f.struct) clip(f.struct);
    }
  };
  clip(root);
}

export function parseMessage(file: string, text: string): MessageDef {
  const raw = JSON.parse(stripComments(text)) as RawMessage;
  const valid = parseRange(raw.validVersions);
  const flexible = parseRange(raw.flexibleVersions);
  const builder = new MessageBuilder(raw, flexible);
  const root = builder.struct(raw.name, raw.fields, true);
  assignVersions(root, valid);
  return {
    file, name: raw.name, type: raw.type,
    apiKey: raw.apiKey ?? null,
    valid, flexible,
    listeners: raw.listeners ?? [],
    latestVersionUnstable: raw.latestVersionUnstable === true,
    root, structs: builder.structs,
  };
}

/** Every spec in `dir`, sorted by file name so output order never depends on the filesystem. */
export function loadMessages(dir: string): MessageDef[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => parseMessage(f, readFileSync(join(dir, f), 'utf8')));
}
