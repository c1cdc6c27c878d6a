// JSON Schema compatibility, following Confluent's json-schema-provider diff: walk the original
// (older, "writer") schema and the update ("reader") together and record each difference; only
// the incompatible ones are returned. The update must accept every document the original accepted:
// widening is compatible, narrowing is not. Content models: open (additionalProperties absent or
// true), closed (false), partially open (a schema, or patternProperties).
import { isPlainObject, schemaDepthMax } from './types.ts';
import type { JsonParsedSchema } from './json.ts';
// json-compat-objects.ts holds the object and array rules; it calls back into compare() (a cycle
// between function declarations only, resolved at call time).
import { compareArrays, compareObjects } from './json-compat-objects.ts';

type Json = unknown;

interface Side {
  node: Json;
  /** The document local `#/...` pointers resolve in. */
  root: Json;
}

interface Ctx {
  readonly original: JsonParsedSchema;
  readonly update: JsonParsedSchema;
  readonly out: string[];
  /** `$ref` pairs being compared; a pair met again (recursive schema) is taken as compatible. */
  readonly refPairs: Set<string>;
}

/** Incompatible differences from `original` to `update`, as Confluent words them. */
export function jsonSchemaIncompatibilities(original: JsonParsedSchema, update: JsonParsedSchema): string[] {
  const ctx: Ctx = { original, update, out: [], refPairs: new Set() };
  compare(ctx, '#', { node: original.document, root: original.document }, { node: update.document, root: update.document }, 0);
  return [...new Set(ctx.out)];
}

/** True when `update` accepts everything `original` accepts (used for sub-schema matching). */
function accepts(ctx: Ctx, o: Side, u: Side, depth: number): boolean {
  const probe: Ctx = { ...ctx, out: [] };
  compare(probe, '#', o, u, depth);
  return probe.out.length === 0;
}

function report(ctx: Ctx, path: string, type: string): void {
  ctx.out.push(`Found incompatible change: Difference{jsonPath='${path}', type=${type}}`);
}

function isEmptySchema(s: Json): boolean {
  return s === true || (isPlainObject(s) && Object.keys(s).every((k) => ANNOTATIONS.has(k)));
}

const ANNOTATIONS = new Set(['$id', 'id', '$schema', 'title', 'description', 'default', 'examples', '$comment', 'readOnly', 'writeOnly', 'deprecated']);

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, Json>)[k], (b as Record<string, Json>)[k]));
}

function pointer(root: Json, fragment: string): Json {
  let node = root;
  for (const raw of fragment.replace(/^\//, '').split('/').filter((p) => p !== '')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isPlainObject(node) || Array.isArray(node) ? (node as Record<string, Json>)[key] : undefined;
  }
  return node;
}

/** Follows `$ref` chains (local pointers and reference names) up to the depth limit. */
function deref(side: Side, docs: ReadonlyMap<string, Json>): { side: Side; ref?: string } {
  let current = side;
  let ref: string | undefined;
  for (let hops = 0; hops < schemaDepthMax; hops++) {
    const node = current.node;
    if (!isPlainObject(node) || typeof node['$ref'] !== 'string') return { side: current, ref };
    ref = node['$ref'];
    const hash = ref.indexOf('#');
    const docName = hash >= 0 ? ref.slice(0, hash) : ref;
    const fragment = hash >= 0 ? ref.slice(hash + 1) : '';
    let root = current.root;
    if (docName !== '') root = findDocument(docs, docName) ?? {};
    current = { node: pointer(root, fragment) ?? {}, root };
  }
  return { side: current, ref };
}

function findDocument(docs: ReadonlyMap<string, Json>, name: string): Json | undefined {
  if (docs.has(name)) return docs.get(name);
  for (const [key, doc] of docs) {
    if (key.endsWith(`/${name}`) || name.endsWith(`/${key}`)) return doc;
    if (isPlainObject(doc) && doc['$id'] === name) return doc;
  }
  return undefined;
}

function compare(ctx: Ctx, path: string, o0: Side, u0: Side, depth: number): void {
  if (depth > schemaDepthMax) return;
  const od = deref(o0, ctx.original.referencedDocuments);
  const ud = deref(u0, ctx.update.referencedDocuments);
  if (od.ref !== undefined || ud.ref !== undefined) {
    const key = `${od.ref ?? path}\u0000${ud.ref ?? path}`;
    if (ctx.refPairs.has(key)) return;
    ctx.refPairs.add(key);
  }
  const o = od.side;
  const u = ud.side;
  if (deepEqual(o.node, u.node) && o.root === u.root) return;
  if (isEmptySchema(u.node) || o.node === false) return; // anything → {} is compatible; nothing valid before
  if (u.node === false) return report(ctx, path, 'TYPE_CHANGED');
  const on = isPlainObject(o.node) ? o.node : {};
  const un = isPlainObject(u.node) ? u.node : {};
  if (!compareCombined(ctx, path, o, u, on, un, depth)) return;
  if (!compareTypes(ctx, path, on, un)) return;
  compareEnumConstNot(ctx, path, o, u, on, un, depth);
  compareNumbers(ctx, path, on, un);
  compareStrings(ctx, path, on, un);
  compareArrays(ctx, path, o, u, on, un, depth);
  compareObjects(ctx, path, o, u, on, un, depth);
}

function typeSet(s: Record<string, Json>): string[] | undefined {
  const t = s['type'];
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.map(String);
  return undefined;
}

/** Returns false when the types changed so much that comparing keywords makes no sense. */
function compareTypes(ctx: Ctx, path: string, o: Record<string, Json>, u: Record<string, Json>): boolean {
  const ot = typeSet(o);
  const ut = typeSet(u);
  if (ut === undefined) return true;
  if (ot === undefined) {
    report(ctx, path, 'TYPE_NARROWED');
    return true;
  }
  const covered = ot.filter((t) => ut.includes(t) || (t === 'integer' && ut.includes('number')));
  if (covered.length === ot.length) return true;
  report(ctx, path, covered.length > 0 ? 'TYPE_NARROWED' : 'TYPE_CHANGED');
  return covered.length > 0;
}

const SUM_KEYWORDS = ['oneOf', 'anyOf'] as const;

/** Combined schemas (oneOf/anyOf/allOf). Returns false when the rest of the comparison should stop. */
function compareCombined(ctx: Ctx, path: string, o: Side, u: Side, on: Record<string, Json>, un: Record<string, Json>, depth: number): boolean {
  const oKey = combinedKey(on);
  const uKey = combinedKey(un);
  if (!oKey && !uKey) return true;
  const sub = (side: Side, n: Json): Side => ({ node: n, root: side.root });
  const oSubs = oKey ? (on[oKey] as Json[]) : [];
  const uSubs = uKey ? (un[uKey] as Json[]) : [];
  const rest = (n: Record<string, Json>, key: string | undefined): Record<string, Json> => {
    const copy = { ...n };
    if (key) delete copy[key];
    return copy;
  };
  const oSum = oKey === 'oneOf' || oKey === 'anyOf';
  const uSum = uKey === 'oneOf' || uKey === 'anyOf';
  if (oKey && uKey && (oKey === uKey || (oSum && uSum && uKey === 'anyOf'))) {
    if (oSum) {
      // every original alternative must still be accepted by some new alternative
      const lost = oSubs.some((os) => !uSubs.some((us) => accepts(ctx, sub(o, os), sub(u, us), depth + 1)));
      if (lost) report(ctx, `${path}/${uKey}`, uSubs.length < oSubs.length ? 'SUM_TYPE_NARROWED' : 'COMBINED_TYPE_SUBSCHEMAS_CHANGED');
    } else {
      // allOf: every new conjunct must already be implied by some original conjunct
      const added = uSubs.some((us) => !oSubs.some((os) => accepts(ctx, sub(o, os), sub(u, us), depth + 1)));
      if (added) report(ctx, `${path}/${uKey}`, uSubs.length > oSubs.length ? 'PRODUCT_TYPE_EXTENDED' : 'COMBINED_TYPE_SUBSCHEMAS_CHANGED');
    }
    return true;
  }
  if (!oKey && uKey) {
    const plain = sub(o, rest(on, undefined));
    const ok = uSum
      ? uSubs.some((us) => accepts(ctx, plain, sub(u, us), depth + 1))
      : uSubs.every((us) => accepts(ctx, plain, sub(u, us), depth + 1));
    if (!ok) report(ctx, path, 'COMBINED_TYPE_CHANGED');
    return false;
  }
  if (oKey && !uKey) {
    const plain = sub(u, rest(un, undefined));
    const ok = oSum
      ? oSubs.every((os) => accepts(ctx, sub(o, os), plain, depth + 1))
      : oSubs.some((os) => accepts(ctx, sub(o, os), plain, depth + 1));
    if (!ok) report(ctx, path, oSum ? 'SUM_TYPE_NARROWED' : 'COMBINED_TYPE_CHANGED');
    return false;
  }
  report(ctx, path, 'COMBINED_TYPE_CHANGED');
  return false;
}

function combinedKey(n: Record<string, Json>): 'oneOf' | 'anyOf' | 'allOf' | undefined {
  for (const k of [...SUM_KEYWORDS, 'allOf'] as const) if (Array.isArray(n[k])) return k;
  return undefined;
}

function compareEnumConstNot(ctx: Ctx, path: string, o: Side, u: Side, on: Record<string, Json>, un: Record<string, Json>, depth: number): void {
  if (Array.isArray(un['enum'])) {
    const ue = un['enum'] as Json[];
    if (!Array.isArray(on['enum'])) report(ctx, `${path}/enum`, 'ENUM_ARRAY_NARROWED');
    else if (!(on['enum'] as Json[]).every((v) => ue.some((w) => deepEqual(v, w)))) {
      report(ctx, `${path}/enum`, ue.length < (on['enum'] as Json[]).length ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED');
    }
  }
  if ('const' in un && !('const' in on && deepEqual(on['const'], un['const']))) report(ctx, `${path}/const`, 'ENUM_ARRAY_CHANGED');
  if ('not' in un) {
    if (!('not' in on)) report(ctx, `${path}/not`, 'NOT_TYPE_NARROWED');
    // `not` must exclude no more than before: the old `not` has to accept what the new one accepts
    else if (!accepts(ctx, { node: un['not'], root: u.root }, { node: on['not'], root: o.root }, depth + 1)) {
      report(ctx, `${path}/not`, 'NOT_TYPE_EXTENDED');
    }
  }
}

type Direction = 'max' | 'min';

/** A bound may be removed or relaxed, never added or tightened. */
function compareBound(ctx: Ctx, path: string, key: string, dir: Direction, o: Record<string, Json>, u: Record<string, Json>, name: string): void {
  const ov = o[key];
  const uv = u[key];
  if (typeof uv !== 'number') return;
  if (typeof ov !== 'number') return report(ctx, `${path}/${key}`, `${name}_ADDED`);
  if (dir === 'max' && uv < ov) report(ctx, `${path}/${key}`, `${name}_DECREASED`);
  if (dir === 'min' && uv > ov) report(ctx, `${path}/${key}`, `${name}_INCREASED`);
}

function compareNumbers(ctx: Ctx, path: string, o: Record<string, Json>, u: Record<string, Json>): void {
  compareBound(ctx, path, 'maximum', 'max', o, u, 'MAXIMUM');
  compareBound(ctx, path, 'minimum', 'min', o, u, 'MINIMUM');
  compareBound(ctx, path, 'exclusiveMaximum', 'max', o, u, 'EXCLUSIVE_MAXIMUM');
  compareBound(ctx, path, 'exclusiveMinimum', 'min', o, u, 'EXCLUSIVE_MINIMUM');
  const om = o['multipleOf'];
  const um = u['multipleOf'];
  if (typeof um !== 'number') return;
  if (typeof om !== 'number') return report(ctx, `${path}/multipleOf`, 'MULTIPLE_OF_ADDED');
  const ratio = om / um;
  if (Math.abs(ratio - Math.round(ratio)) > 1e-9) report(ctx, `${path}/multipleOf`, um > om ? 'MULTIPLE_OF_EXPANDED' : 'MULTIPLE_OF_CHANGED');
}

function compareStrings(ctx: Ctx, path: string, o: Record<string, Json>, u: Record<string, Json>): void {
  compareBound(ctx, path, 'maxLength', 'max', o, u, 'MAX_LENGTH');
  compareBound(ctx, path, 'minLength', 'min', o, u, 'MIN_LENGTH');
  if (typeof u['pattern'] === 'string') {
    if (typeof o['pattern'] !== 'string') report(ctx, `${path}/pattern`, 'PATTERN_ADDED');
    else if (o['pattern'] !== u['pattern']) report(ctx, `${path}/pattern`, 'PATTERN_CHANGED');
  }
}

export type { Ctx as JsonDiffContext, Side as JsonSide, Json };
export { compare as compareJsonSchemas, report as reportJsonDifference, accepts as jsonAccepts, compareBound as compareJsonBound };
