// JSON Schema compatibility for objects and arrays (see json-compat.ts for the overall rules):
// properties against content models, required, additionalProperties, dependencies, property
// counts; items (single schema or tuple), additionalItems, item counts, uniqueItems.
import { isPlainObject } from './types.ts';
import {
  compareJsonBound as compareBound,
  compareJsonSchemas as compare,
  jsonAccepts as accepts,
  reportJsonDifference as report,
  type Json,
  type JsonDiffContext as Ctx,
  type JsonSide as Side,
} from './json-compat.ts';

export type ContentModel = 'open' | 'closed' | 'partial';

type Obj = Record<string, Json>;

function extraSchema(n: Obj, key: 'additionalProperties' | 'additionalItems'): Json {
  if (key in n) return n[key];
  if (key === 'additionalProperties' && n['unevaluatedProperties'] === false) return false;
  return true;
}

function model(n: Obj): ContentModel {
  const extra = extraSchema(n, 'additionalProperties');
  if (isPlainObject(n['patternProperties']) && Object.keys(n['patternProperties']).length > 0) return 'partial';
  if (extra === true || (isPlainObject(extra) && Object.keys(extra).length === 0)) return 'open';
  if (extra === false) return 'closed';
  return 'partial';
}

/** The schema a partially open model applies to an undeclared property `name`. */
function coveringSchema(n: Obj, name: string): Json {
  const patterns = isPlainObject(n['patternProperties']) ? n['patternProperties'] : {};
  for (const [re, schema] of Object.entries(patterns)) {
    try {
      if (new RegExp(re, 'u').test(name)) return schema;
    } catch {
      // an invalid pattern covers nothing
    }
  }
  return extraSchema(n, 'additionalProperties');
}

function props(n: Obj): Obj {
  return isPlainObject(n['properties']) ? n['properties'] : {};
}

export function compareObjects(ctx: Ctx, path: string, o: Side, u: Side, on: Obj, un: Obj, depth: number): void {
  compareBound(ctx, path, 'maxProperties', 'max', on, un, 'MAX_PROPERTIES');
  compareBound(ctx, path, 'minProperties', 'min', on, un, 'MIN_PROPERTIES');
  compareProperties(ctx, path, o, u, on, un, depth);
  compareAdditional(ctx, path, o, u, on, un, depth, 'additionalProperties', 'ADDITIONAL_PROPERTIES');
  compareRequired(ctx, path, on, un);
  compareDependencies(ctx, path, o, u, on, un, depth);
}

function compareProperties(ctx: Ctx, path: string, o: Side, u: Side, on: Obj, un: Obj, depth: number): void {
  const op = props(on);
  const up = props(un);
  for (const name of Object.keys(up)) {
    const p = `${path}/properties/${name}`;
    if (name in op) {
      compare(ctx, p, { node: op[name], root: o.root }, { node: up[name], root: u.root }, depth + 1);
      continue;
    }
    const m = model(on);
    if (m === 'closed') continue; // PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL
    if (m === 'open') {
      if (!isEmpty(up[name])) report(ctx, p, 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
      continue;
    }
    if (!accepts(ctx, { node: coveringSchema(on, name), root: o.root }, { node: up[name], root: u.root }, depth + 1)) {
      report(ctx, p, 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
    }
  }
  for (const name of Object.keys(op)) {
    if (name in up || op[name] === false) continue;
    const p = `${path}/properties/${name}`;
    const m = model(un);
    if (m === 'open') continue; // PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
    if (m === 'closed') {
      report(ctx, p, 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL');
      continue;
    }
    if (!accepts(ctx, { node: op[name], root: o.root }, { node: coveringSchema(un, name), root: u.root }, depth + 1)) {
      report(ctx, p, 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
    }
  }
}

function isEmpty(s: Json): boolean {
  return s === true || (isPlainObject(s) && Object.keys(s).length === 0);
}

/** additionalProperties / additionalItems: false → anything is fine; open → narrower is not. */
function compareAdditional(
  ctx: Ctx, path: string, o: Side, u: Side, on: Obj, un: Obj, depth: number,
  key: 'additionalProperties' | 'additionalItems', name: string,
): void {
  const oe = extraSchema(on, key);
  const ue = extraSchema(un, key);
  if (oe === false || isEmpty(ue)) return;
  const p = `${path}/${key}`;
  if (ue === false) return report(ctx, p, `${name}_REMOVED`);
  if (isEmpty(oe)) return report(ctx, p, `${name}_NARROWED`);
  compare(ctx, p, { node: oe, root: o.root }, { node: ue, root: u.root }, depth + 1);
}

function compareRequired(ctx: Ctx, path: string, on: Obj, un: Obj): void {
  const oreq = Array.isArray(on['required']) ? (on['required'] as Json[]).map(String) : [];
  const ureq = Array.isArray(un['required']) ? (un['required'] as Json[]).map(String) : [];
  const up = props(un);
  for (const name of ureq) {
    if (oreq.includes(name)) continue;
    const schema = up[name];
    if (isPlainObject(schema) && 'default' in schema) continue; // REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED
    report(ctx, `${path}/required/${name}`, 'REQUIRED_ATTRIBUTE_ADDED');
  }
}

function dependencyMap(n: Obj): Obj {
  return {
    ...(isPlainObject(n['dependencies']) ? n['dependencies'] : {}),
    ...(isPlainObject(n['dependentRequired']) ? n['dependentRequired'] : {}),
    ...(isPlainObject(n['dependentSchemas']) ? n['dependentSchemas'] : {}),
  };
}

function compareDependencies(ctx: Ctx, path: string, o: Side, u: Side, on: Obj, un: Obj, depth: number): void {
  const od = dependencyMap(on);
  const ud = dependencyMap(un);
  for (const [name, dep] of Object.entries(ud)) {
    const p = `${path}/dependencies/${name}`;
    const before = od[name];
    if (before === undefined) {
      report(ctx, p, Array.isArray(dep) ? 'DEPENDENCY_ARRAY_ADDED' : 'DEPENDENCY_SCHEMA_ADDED');
    } else if (Array.isArray(dep) && Array.isArray(before)) {
      if (!dep.every((d) => before.includes(d))) report(ctx, p, dep.length > before.length ? 'DEPENDENCY_ARRAY_EXTENDED' : 'DEPENDENCY_ARRAY_CHANGED');
    } else if (!Array.isArray(dep) && !Array.isArray(before)) {
      compare(ctx, p, { node: before, root: o.root }, { node: dep, root: u.root }, depth + 1);
    } else {
      report(ctx, p, 'DEPENDENCY_ARRAY_CHANGED');
    }
  }
}

/** Tuple positions: `prefixItems` (2020-12) or an array-valued `items`. */
function tuple(n: Obj): Json[] | undefined {
  if (Array.isArray(n['prefixItems'])) return n['prefixItems'] as Json[];
  if (Array.isArray(n['items'])) return n['items'] as Json[];
  return undefined;
}

/** What applies to items past the tuple: 2020-12 `items`, else `additionalItems`. */
function tupleRest(n: Obj): Json {
  if (Array.isArray(n['prefixItems'])) return 'items' in n ? n['items'] : true;
  return extraSchema(n, 'additionalItems');
}

export function compareArrays(ctx: Ctx, path: string, o: Side, u: Side, on: Obj, un: Obj, depth: number): void {
  compareBound(ctx, path, 'maxItems', 'max', on, un, 'MAX_ITEMS');
  compareBound(ctx, path, 'minItems', 'min', on, un, 'MIN_ITEMS');
  if (un['uniqueItems'] === true && on['uniqueItems'] !== true) report(ctx, `${path}/uniqueItems`, 'UNIQUE_ITEMS_ADDED');
  const ot = tuple(on);
  const ut = tuple(un);
  if (!ot && !ut) {
    if (!('items' in un) || isEmpty(un['items'])) return;
    if (!('items' in on)) return report(ctx, `${path}/items`, 'ITEMS_ADDED');
    compare(ctx, `${path}/items`, { node: on['items'], root: o.root }, { node: un['items'], root: u.root }, depth + 1);
    return;
  }
  const oItems = ot ?? [];
  const uItems = ut ?? [];
  const oRest = ot ? tupleRest(on) : ('items' in on ? on['items'] : true);
  const uRest = ut ? tupleRest(un) : ('items' in un ? un['items'] : true);
  const count = Math.max(oItems.length, uItems.length);
  for (let i = 0; i < count; i++) {
    const p = `${path}/items/${i}`;
    const os = i < oItems.length ? oItems[i] : oRest;
    const us = i < uItems.length ? uItems[i] : uRest;
    if (os === false) continue; // ITEM_ADDED_TO_CLOSED_CONTENT_MODEL
    if (i >= oItems.length && isEmpty(oRest) && !isEmpty(us)) {
      report(ctx, p, 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL');
      continue;
    }
    if (us === false) {
      report(ctx, p, 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL');
      continue;
    }
    compare(ctx, p, { node: os, root: o.root }, { node: us, root: u.root }, depth + 1);
  }
  if (oRest !== false && !isEmpty(uRest)) {
    if (uRest === false) report(ctx, `${path}/additionalItems`, 'ADDITIONAL_ITEMS_REMOVED');
    else if (isEmpty(oRest)) report(ctx, `${path}/additionalItems`, 'ADDITIONAL_ITEMS_NARROWED');
    else compare(ctx, `${path}/additionalItems`, { node: oRest, root: o.root }, { node: uRest, root: u.root }, depth + 1);
  }
}
