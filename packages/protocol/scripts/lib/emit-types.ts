// Emits TypeScript interfaces, default values and default checks for a message's structs.
import type { FieldDef, MessageDef, StructDef } from './schema.ts';
import { isEmpty } from './schema.ts';

export function indent(lines: string[], by = '  '): string[] {
  return lines.map((l) => (l === '' ? l : by + l));
}

export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export const hasNull = (f: FieldDef): boolean => !isEmpty(f.nullable);

export function elemType(f: FieldDef): string {
  switch (f.base) {
    case 'bool': return 'boolean';
    case 'string': case 'uuid': return 'string';
    case 'bytes': case 'records': return 'Buffer';
    case 'struct': return f.struct!.tsName;
    default: return 'number';
  }
}

/** The field's type in the interface, without `undefined`. */
export function fieldType(f: FieldDef): string {
  const t = f.array ? `${elemType(f)}[]` : elemType(f);
  return hasNull(f) ? `${t} | null` : t;
}

/** Code for a fresh default value of the field. */
export function defaultCode(f: FieldDef): string {
  const d = f.dflt;
  switch (d.kind) {
    case 'null': return 'null';
    case 'number': return String(d.value);
    case 'bool': return String(d.value);
    case 'string': return quote(d.value);
    case 'zeroUuid': return 'ZERO_UUID';
    case 'emptyBytes': return 'EMPTY_BYTES';
    case 'emptyArray': return '[]';
    case 'struct': return `default${d.struct.tsName}()`;
  }
}

/** Boolean expression: `x` (of the field's full type) equals the field's default. */
export function isDefaultExpr(f: FieldDef, x: string): string {
  const d = f.dflt;
  switch (d.kind) {
    case 'null': return `${x} === null`;
    case 'emptyBytes': case 'emptyArray':
      return hasNull(f) ? `(${x} !== null && ${x}.length === 0)` : `${x}.length === 0`;
    case 'struct': return `isDefault${d.struct.tsName}(${x})`;
    default: return `${x} === ${defaultCode(f)}`;
  }
}

/** Expression reading the field from `src` for encoding: undefined becomes the default. */
export function valueExpr(f: FieldDef, src: string): string {
  const access = `${src}.${f.prop}`;
  if (f.required) return access;
  const def = defaultCode(f);
  if (hasNull(f) && def !== 'null') return `(${access} === undefined ? ${def} : ${access})`;
  return `${access} ?? ${def}`;
}

function docComment(about: string): string[] {
  if (about === '') return [];
  return [`/** ${about.replace(/\*\//g, '* /').replace(/\s+/g, ' ').trim()} */`];
}

export function emitInterface(s: StructDef): string[] {
  const out = [`export interface ${s.tsName} {`];
  for (const f of s.fields) {
    out.push(...indent(docComment(f.about)));
    out.push(`  ${f.prop}${f.required ? '' : '?'}: ${fieldType(f)};`);
  }
  out.push('}');
  return out;
}

/** Structs whose default value is needed (a non-nullable struct field), transitively. */
export function structsNeedingDefault(msg: MessageDef): Set<StructDef> {
  const need = new Set<StructDef>();
  const add = (s: StructDef): void => {
    if (need.has(s)) return;
    need.add(s);
    for (const f of s.fields) if (f.dflt.kind === 'struct') add(f.dflt.struct);
  };
  for (const s of msg.structs) for (const f of s.fields) if (f.dflt.kind === 'struct') add(f.dflt.struct);
  return need;
}

/** Structs whose default check is needed (tagged non-nullable struct fields), transitively. */
export function structsNeedingIsDefault(msg: MessageDef): Set<StructDef> {
  const need = new Set<StructDef>();
  const add = (s: StructDef): void => {
    if (need.has(s)) return;
    need.add(s);
    for (const f of s.fields) if (f.dflt.kind === 'struct') add(f.dflt.struct);
  };
  for (const s of msg.structs) {
    for (const f of s.fields) if (!isEmpty(f.tagged) && f.dflt.kind === 'struct') add(f.dflt.struct);
  }
  return need;
}

export function emitDefaultFn(s: StructDef): string[] {
  const out = [`function default${s.tsName}(): ${s.tsName} {`, '  return {'];
  for (const f of s.fields) out.push(`    ${f.prop}: ${defaultCode(f)},`);
  out.push('  };', '}');
  return out;
}

export function emitIsDefaultFn(s: StructDef): string[] {
  const conds = s.fields.map((f) => {
    const x = `v.${f.prop}`;
    return f.required ? isDefaultExpr(f, x) : `(${x} === undefined || ${isDefaultExpr(f, x)})`;
  });
  const body = conds.length === 0 ? ['  return true;'] : ['  return ' + conds.join('\n    && ') + ';'];
  return [`function isDefault${s.tsName}(v: ${s.tsName}): boolean {`, ...body, '}'];
}
