// Emits straight-line encode/decode functions for one struct. Version-dependent choices
// (field presence, flexible vs classic encoding, nullability, tagged vs positional) become
// `if (version ...)` branches, split only where the struct's version range actually crosses a
// boundary, so a struct that is always flexible carries no flexibility checks at all.
import type { FieldDef, MessageDef, Range, StructDef } from './schema.ts';
import { intersect, isEmpty, contains } from './schema.ts';
import { defaultCode, elemType, fieldType, hasNull, indent, isDefaultExpr, quote, valueExpr } from './emit-types.ts';

/** `version` condition selecting `p` within `ctx`, or null when it always holds. */
export function rangeCond(p: Range, ctx: Range): string | null {
  const parts: string[] = [];
  if (p.lo > ctx.lo) parts.push(`version >= ${p.lo}`);
  if (p.hi < ctx.hi) parts.push(`version <= ${p.hi}`);
  return parts.length === 0 ? null : parts.join(' && ');
}

/** Emits `leaf(inside)` for `k`, splitting into if/else at each boundary of `r` inside `k`. */
function branch(k: Range, r: Range, leaf: (inside: boolean, k: Range) => string[]): string[] {
  const overlap = intersect(k, r);
  if (isEmpty(overlap)) return leaf(false, k);
  if (contains(r, k)) return leaf(true, k);
  let cond: string;
  let ins: Range;
  let outs: Range;
  if (k.lo < r.lo) {
    cond = `version >= ${r.lo}`;
    ins = { lo: r.lo, hi: k.hi };
    outs = { lo: k.lo, hi: r.lo - 1 };
  } else {
    cond = `version <= ${r.hi}`;
    ins = { lo: k.lo, hi: r.hi };
    outs = { lo: r.hi + 1, hi: k.hi };
  }
  return [`if (${cond}) {`, ...indent(branch(ins, r, leaf)), '} else {', ...indent(branch(outs, r, leaf)), '}'];
}

function guarded(cond: string | null, body: string[]): string[] {
  return cond === null ? body : [`if (${cond}) {`, ...indent(body), '}'];
}

const ALL: Range = { lo: -Infinity, hi: Infinity };

/** Flexible versions that change this field's encoding (only variable-length types care). */
const flexOf = (f: FieldDef): Range =>
  f.array || f.base === 'string' || f.base === 'bytes' || f.base === 'records' ? f.flexible : ALL;

const positional = (f: FieldDef): Range =>
  isEmpty(f.tagged) ? f.versions : intersect(f.versions, { lo: -Infinity, hi: f.tagged.lo - 1 });
const taggedRange = (f: FieldDef): Range => intersect(f.versions, f.tagged);

function stringMethod(base: string, flex: boolean, nullable: boolean): string {
  const kind = base === 'string' ? 'String' : 'Bytes';
  const name = (flex ? 'compact' : '') + (nullable ? 'Nullable' : '') + kind;
  return name.charAt(0).toLowerCase() + name.slice(1);
}

// ---- encoding ----

function writeScalar(f: FieldDef, w: string, flex: boolean, nullable: boolean, x: string): string[] {
  switch (f.base) {
    case 'string': case 'bytes': case 'records':
      return [`${w}.${stringMethod(f.base, flex, nullable)}(${x});`];
    case 'struct': {
      const call = `encode${f.struct!.tsName}(${w}, version, ${x});`;
      if (!nullable) return [call];
      return [`if (${x} === null) {`, `  ${w}.int8(-1);`, '} else {', `  ${w}.int8(1);`, `  ${call}`, '}'];
    }
    default:
      return [`${w}.${f.base}(${x});`];
  }
}

function nonNullValue(f: FieldDef, x: string): string {
  if (f.array) return `(${x} ?? [])`;
  switch (f.base) {
    case 'string': return `(${x} ?? '')`;
    case 'bytes': case 'records': return `(${x} ?? EMPTY_BYTES)`;
    default: return `${x}!`;
  }
}

function writeLeaf(f: FieldDef, w: string, flex: boolean, nullable: boolean, x: string): string[] {
  // A value typed nullable (null is its default) written in a version where it is not: the
  // type's zero goes on the wire, as Kafka's own default for such fields is the empty value.
  const nn = hasNull(f) && !nullable ? nonNullValue(f, x) : x;
  if (!f.array) return writeScalar(f, w, flex, nullable, nn);
  const body = [
    flex ? `${w}.unsignedVarint(${nn}.length + 1);` : `${w}.int32(${nn}.length);`,
    `for (const e of ${nn}) {`,
    ...indent(writeScalar(f, w, flex, false, 'e')),
    '}',
  ];
  if (!nullable) return body;
  return [`if (${x} === null) {`, flex ? `  ${w}.uint8(0);` : `  ${w}.int32(-1);`, '} else {', ...indent(body), '}'];
}

function encodeTagged(s: StructDef, flexRange: Range): string[] {
  const tagged = s.fields.filter((f) => !isEmpty(intersect(taggedRange(f), flexRange)))
    .sort((a, b) => a.tag - b.tag);
  if (tagged.length === 0) return ['w.uint8(0);'];
  const out: string[] = [];
  for (const f of tagged) {
    const cond = rangeCond(taggedRange(f), flexRange);
    const t = `_t_${f.prop}`;
    // An unset struct is its default: skip it without allocating a default object to compare.
    const isStruct = f.dflt.kind === 'struct';
    out.push(`const ${t} = ${isStruct ? `v.${f.prop}` : valueExpr(f, 'v')};`);
    const present = isStruct ? `${t} !== undefined && ` : '';
    out.push(`const _h_${f.prop} = ${cond === null ? '' : `${cond} && `}${present}!(${isDefaultExpr(f, t)});`);
  }
  out.push(`w.unsignedVarint(${tagged.map((f) => `(_h_${f.prop} ? 1 : 0)`).join(' + ')});`);
  for (const f of tagged) {
    const leaf = branch(intersect(taggedRange(f), flexRange), f.nullable,
      (nullable) => writeLeaf(f, 't', true, nullable, `_t_${f.prop}${f.dflt.kind === 'struct' ? '!' : ''}`));
    out.push(`if (_h_${f.prop}) {`, '  const t = new Writer(64);', ...indent(leaf), `  writeTaggedField(w, ${f.tag}, t);`, '}');
  }
  return out;
}

export function emitEncode(msg: MessageDef, s: StructDef, exported: boolean, check: boolean): string[] {
  const ctx = s.versions;
  const out: string[] = [];
  if (check) out.push(`checkVersion(${quote(msg.name)}, version, ${msg.valid.lo}, ${msg.valid.hi});`);
  for (const f of s.fields) {
    const p = intersect(positional(f), ctx);
    if (isEmpty(p)) continue;
    const x = `_${f.prop}`;
    const body = [`const ${x} = ${valueExpr(f, 'v')};`,
      ...branch(p, flexOf(f), (flex, k1) => branch(k1, f.nullable, (nullable) => writeLeaf(f, 'w', flex, nullable, x)))];
    out.push(...guarded(rangeCond(p, ctx), body));
  }
  const flexRange = intersect(msg.flexible, ctx);
  if (!isEmpty(flexRange)) out.push(...guarded(rangeCond(flexRange, ctx), encodeTagged(s, flexRange)));
  const head = `${exported ? 'export ' : ''}function encode${s.tsName}(w: Writer, version: number, v: ${s.tsName}): void {`;
  return [head, ...indent(out), '}'];
}

// ---- decoding ----

function readScalar(f: FieldDef, flex: boolean, nullable: boolean): string {
  switch (f.base) {
    case 'string': case 'bytes': case 'records':
      return `r.${stringMethod(f.base, flex, nullable)}()`;
    case 'struct': {
      const call = `decode${f.struct!.tsName}(r, version)`;
      return nullable ? `(r.int8() < 0 ? null : ${call})` : call;
    }
    default:
      return `r.${f.base}()`;
  }
}

function readLeaf(f: FieldDef, flex: boolean, nullable: boolean, x: string): string[] {
  if (!f.array) return [`${x} = ${readScalar(f, flex, nullable)};`];
  const fill = [
    `const a: ${elemType(f)}[] = [];`,
    `for (let k = 0; k < n; k++) a.push(${readScalar(f, flex, false)});`,
    `${x} = a;`,
  ];
  const len = `const n = ${flex ? 'r.compactArrayLength()' : 'r.arrayLength()'};`;
  if (nullable) return ['{', `  ${len}`, `  if (n < 0) {`, `    ${x} = null;`, '  } else {', ...indent(fill, '    '), '  }', '}'];
  return ['{', `  ${len}`, `  if (n < 0) nullNotAllowed(${quote(f.specName)});`, ...indent(fill), '}'];
}

function decodeTagged(s: StructDef, flexRange: Range): string[] {
  const tagged = s.fields.filter((f) => !isEmpty(intersect(taggedRange(f), flexRange)))
    .sort((a, b) => a.tag - b.tag);
  if (tagged.length === 0) return ['skipTaggedFields(r);'];
  const cases: string[] = [];
  for (const f of tagged) {
    const t = intersect(taggedRange(f), flexRange);
    const leaf = branch(t, f.nullable, (nullable) => readLeaf(f, true, nullable, `_${f.prop}`));
    cases.push(`case ${f.tag}:`, ...indent(guarded(rangeCond(t, flexRange), leaf)), '  break;');
  }
  return [
    'const tagCount = r.unsignedVarint();',
    'for (let i = 0; i < tagCount; i++) {',
    '  const tag = r.unsignedVarint();',
    '  const end = taggedFieldEnd(r, r.unsignedVarint());',
    '  switch (tag) {',
    ...indent(cases, '    '),
    '  }',
    '  finishTaggedField(r, end);',
    '}',
  ];
}

export function emitDecode(msg: MessageDef, s: StructDef, exported: boolean, check: boolean): string[] {
  const ctx = s.versions;
  const out: string[] = [];
  if (check) out.push(`checkVersion(${quote(msg.name)}, version, ${msg.valid.lo}, ${msg.valid.hi});`);
  const flexRange = intersect(msg.flexible, ctx);
  for (const f of s.fields) {
    const x = `_${f.prop}`;
    const p = intersect(positional(f), ctx);
    const isTagged = !isEmpty(intersect(taggedRange(f), flexRange));
    if (isEmpty(p)) {
      out.push(`${isTagged ? 'let' : 'const'} ${x}: ${fieldType(f)} = ${defaultCode(f)};`);
      continue;
    }
    const read = branch(p, flexOf(f), (flex, k1) => branch(k1, f.nullable, (nullable) => readLeaf(f, flex, nullable, x)));
    const cond = rangeCond(p, ctx);
    // A single unconditional read becomes one `const` line; everything else assigns a `let`.
    if (cond === null && !isTagged && read.length === 1 && read[0]!.startsWith(`${x} = `)) {
      out.push(`const ${x}: ${fieldType(f)} = ${read[0]!.slice(x.length + 3)}`);
      continue;
    }
    out.push(`let ${x}: ${fieldType(f)};`);
    if (cond === null) out.push(...read);
    else out.push(`if (${cond}) {`, ...indent(read), '} else {', `  ${x} = ${defaultCode(f)};`, '}');
  }
  if (!isEmpty(flexRange)) out.push(...guarded(rangeCond(flexRange, ctx), decodeTagged(s, flexRange)));
  out.push('return {', ...s.fields.map((f) => `  ${f.prop}: _${f.prop},`), '};');
  const head = `${exported ? 'export ' : ''}function decode${s.tsName}(r: Reader, version: number): ${s.tsName} {`;
  return [head, ...indent(out), '}'];
}
