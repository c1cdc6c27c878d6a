// Avro schema resolution as a compatibility check: can `reader` read data written with `writer`?
// Follows the Avro spec's resolution rules as Java-Avro's SchemaCompatibility implements them
// (the check Confluent runs): names by unqualified name or reader alias, fields by name or reader
// field alias, promotions int→long→float→double and string↔bytes, unions branch by branch, enum
// defaults, fixed sizes. Logical types are ignored (avsc parses them as their underlying type).
import type { Type } from 'avsc';

export type AvroIncompatibilityType =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

export interface AvroIncompatibility {
  type: AvroIncompatibilityType;
  /** JSON-pointer-like location in the reader schema, e.g. `/fields/1/type`. */
  location: string;
  /** Java-Avro's message, e.g. `reader type: INT not compatible with writer type: STRING`. */
  info: string;
}

interface FieldLike {
  name: string;
  aliases: string[];
  type: Type;
  defaultValue(): unknown;
}

const NAMED = new Set(['record', 'error', 'enum', 'fixed']);
const PROMOTIONS: Record<string, readonly string[]> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  bytes: ['string'],
  string: ['bytes'],
};

/** Avro's kind of a type: avsc's `typeName` with record/error merged and both union flavours merged. */
function kind(t: Type): string {
  const name = t.typeName;
  if (name.startsWith('union')) return 'union';
  if (name === 'error') return 'record';
  return name;
}

function shortName(full: string | undefined): string {
  if (!full) return '';
  return full.slice(full.lastIndexOf('.') + 1);
}

function upper(t: Type): string {
  return kind(t).toUpperCase();
}

/** Checks `reader` against `writer` and returns every incompatibility found (empty when compatible). */
export function avroReaderWriterIncompatibilities(reader: Type, writer: Type): AvroIncompatibility[] {
  return new AvroResolutionChecker().check(reader, writer, '');
}

class AvroResolutionChecker {
  /** Pairs already checked or in progress; an in-progress pair (recursive type) counts as compatible. */
  private readonly memo = new Map<Type, Map<Type, AvroIncompatibility[] | 'pending'>>();

  check(reader: Type, writer: Type, location: string): AvroIncompatibility[] {
    let inner = this.memo.get(reader);
    if (!inner) this.memo.set(reader, (inner = new Map()));
    const seen = inner.get(writer);
    if (seen === 'pending') return [];
    if (seen) return seen;
    inner.set(writer, 'pending');
    const result = this.calculate(reader, writer, location);
    inner.set(writer, result);
    return result;
  }

  private calculate(reader: Type, writer: Type, loc: string): AvroIncompatibility[] {
    const rk = kind(reader);
    const wk = kind(writer);
    if (rk === wk) return this.sameKind(reader, writer, rk, loc);
    if (wk === 'union') {
      return unionTypes(writer).flatMap((branch, i) => this.check(reader, branch, `${loc}/${i}`));
    }
    if (PROMOTIONS[rk]?.includes(wk)) return [];
    if (rk === 'union') {
      const ok = unionTypes(reader).some((branch) => this.check(branch, writer, loc).length === 0);
      return ok ? [] : [{ type: 'MISSING_UNION_BRANCH', location: loc, info: `reader union lacking writer type: ${upper(writer)}` }];
    }
    return [typeMismatch(reader, writer, loc)];
  }

  private sameKind(reader: Type, writer: Type, k: string, loc: string): AvroIncompatibility[] {
    switch (k) {
      case 'array':
        return this.check((reader as unknown as { itemsType: Type }).itemsType, (writer as unknown as { itemsType: Type }).itemsType, `${loc}/items`);
      case 'map':
        return this.check((reader as unknown as { valuesType: Type }).valuesType, (writer as unknown as { valuesType: Type }).valuesType, `${loc}/values`);
      case 'fixed': {
        const out = checkNames(reader, writer, loc);
        const rs = (reader as unknown as { size: number }).size;
        const ws = (writer as unknown as { size: number }).size;
        if (rs !== ws) out.push({ type: 'FIXED_SIZE_MISMATCH', location: `${loc}/size`, info: `expected: ${ws}, found: ${rs}` });
        return out;
      }
      case 'enum':
        return [...checkNames(reader, writer, loc), ...checkEnumSymbols(reader, writer, loc)];
      case 'record':
        return [...checkNames(reader, writer, loc), ...this.checkFields(reader, writer, loc)];
      case 'union': {
        const out: AvroIncompatibility[] = [];
        unionTypes(writer).forEach((branch, i) => {
          if (this.check(reader, branch, `${loc}/${i}`).length > 0) {
            out.push({ type: 'MISSING_UNION_BRANCH', location: `${loc}/${i}`, info: `reader union lacking writer type: ${upper(branch)}` });
          }
        });
        return out;
      }
      default:
        return []; // identical primitives
    }
  }

  private checkFields(reader: Type, writer: Type, loc: string): AvroIncompatibility[] {
    const readerFields = (reader as unknown as { fields: FieldLike[] }).fields;
    const writerFields = (writer as unknown as { fields: FieldLike[] }).fields;
    const out: AvroIncompatibility[] = [];
    readerFields.forEach((field, i) => {
      const match = lookupWriterField(writerFields, field);
      if (match) {
        out.push(...this.check(field.type, match.type, `${loc}/fields/${i}/type`));
      } else if (field.defaultValue() === undefined) {
        out.push({ type: 'READER_FIELD_MISSING_DEFAULT_VALUE', location: `${loc}/fields/${i}`, info: field.name });
      }
    });
    return out;
  }
}

function unionTypes(t: Type): Type[] {
  return (t as unknown as { types: Type[] }).types;
}

function typeMismatch(reader: Type, writer: Type, loc: string): AvroIncompatibility {
  return { type: 'TYPE_MISMATCH', location: loc, info: `reader type: ${upper(reader)} not compatible with writer type: ${upper(writer)}` };
}

function checkNames(reader: Type, writer: Type, loc: string): AvroIncompatibility[] {
  if (!NAMED.has(reader.typeName)) return [];
  const r = reader as unknown as { name?: string; aliases?: string[] };
  const w = writer as unknown as { name?: string };
  if (shortName(r.name) === shortName(w.name)) return [];
  if (w.name !== undefined && (r.aliases ?? []).includes(w.name)) return [];
  return [{ type: 'NAME_MISMATCH', location: `${loc}/name`, info: `expected: ${w.name ?? ''}` }];
}

function checkEnumSymbols(reader: Type, writer: Type, loc: string): AvroIncompatibility[] {
  const r = reader as unknown as { symbols: string[]; default?: string };
  const w = writer as unknown as { symbols: string[] };
  const missing = w.symbols.filter((s) => !r.symbols.includes(s));
  if (missing.length === 0) return [];
  if (r.default !== undefined && r.symbols.includes(r.default)) return [];
  return [{ type: 'MISSING_ENUM_SYMBOLS', location: `${loc}/symbols`, info: `[${missing.join(', ')}]` }];
}

function lookupWriterField(writerFields: readonly FieldLike[], readerField: FieldLike): FieldLike | undefined {
  const direct = writerFields.find((f) => f.name === readerField.name);
  if (direct) return direct;
  for (const alias of readerField.aliases ?? []) {
    const byAlias = writerFields.find((f) => f.name === alias);
    if (byAlias) return byAlias;
  }
  return undefined;
}

/**
 * Confluent's description of one incompatibility. `readerLabel` is the schema doing the reading:
 * "new" for a BACKWARD check, "old" for FORWARD.
 */
export function describeAvroIncompatibility(inc: AvroIncompatibility, readerLabel: 'new' | 'old'): string {
  const reader = readerLabel;
  const writer = readerLabel === 'new' ? 'old' : 'new';
  const path = inc.location || '/';
  let description: string;
  switch (inc.type) {
    case 'NAME_MISMATCH':
      description = `The name of the schema has changed (path '${path}')`;
      break;
    case 'FIXED_SIZE_MISMATCH':
      description = `The size of FIXED type field at path '${path}' in the ${reader} schema does not match with the ${writer} schema`;
      break;
    case 'MISSING_ENUM_SYMBOLS':
      description = `The ${reader} schema is missing enum symbols '${inc.info}' at path '${path}' in the ${writer} schema`;
      break;
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      description = `The field '${inc.info}' at path '${path}' in the ${reader} schema has no default value and is missing in the ${writer} schema`;
      break;
    case 'TYPE_MISMATCH':
      description = `The type (path '${path}') of a field in the ${reader} schema does not match with the ${writer} schema`;
      break;
    case 'MISSING_UNION_BRANCH':
      description = `The ${reader} schema is missing a type inside a union field at path '${path}' in the ${writer} schema`;
      break;
  }
  return `{errorType:'${inc.type}', description:'${description}', additionalInfo:'${inc.info}'}`;
}
