// JSON Schema: validated by compiling it with ajv for the draft its `$schema` names (draft-07 when
// absent, as Confluent assumes). Canonical text is compact JSON with key order kept (Confluent stores
// Jackson's compact re-serialization); normalized text also sorts keys.
// References: each resolved reference is added to ajv under its reference name, so `$ref: "<name>"`
// (or "<name>#/definitions/X") resolves to it.
import { createRequire } from 'node:module';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import {
  SchemaParseError,
  isPlainObject,
  parseJsonText,
  referenceDepthMax,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaReference,
} from './types.ts';

type AjvInstance = InstanceType<typeof Ajv>;
type AddFormats = (ajv: AjvInstance) => unknown;
const addFormats: AddFormats =
  (ajvFormats.default as unknown as { default?: AddFormats }).default ?? (ajvFormats.default as unknown as AddFormats);
const require = createRequire(import.meta.url);

export interface JsonParsedSchema extends ParsedSchema {
  readonly type: 'JSON';
  /** The schema document (parsed JSON: an object or a boolean). */
  readonly document: unknown;
  /** Referenced documents by reference name, flattened over the whole reference graph. */
  readonly referencedDocuments: ReadonlyMap<string, unknown>;
  readonly resolved: readonly ResolvedReference[];
  /** The compiled ajv validator. */
  readonly validate: ValidateFunction;
}

const DRAFT_2020 = /json-schema\.org\/draft\/2020-12\/schema/;
const DRAFT_2019 = /json-schema\.org\/draft\/2019-09\/schema/;
const DRAFT_06 = /json-schema\.org\/draft-06\/schema/;
const DRAFT_04 = /json-schema\.org\/draft-04\/schema/;

function newAjv(document: unknown): AjvInstance {
  const dialect = isPlainObject(document) && typeof document['$schema'] === 'string' ? document['$schema'] : '';
  const options = { strict: false, allErrors: false, validateFormats: true } as const;
  let ajv: AjvInstance;
  if (DRAFT_2020.test(dialect)) ajv = new Ajv2020(options) as unknown as AjvInstance;
  else if (DRAFT_2019.test(dialect)) ajv = new Ajv2019(options) as unknown as AjvInstance;
  else {
    ajv = new Ajv(options);
    if (DRAFT_06.test(dialect)) ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json") as Parameters<AjvInstance["addMetaSchema"]>[0]);
  }
  addFormats(ajv);
  return ajv;
}

/** ajv has no draft-04 meta-schema here: such schemas are compiled without their `$schema`. */
function compilable(document: unknown): unknown {
  if (isPlainObject(document) && typeof document['$schema'] === 'string' && DRAFT_04.test(document['$schema'])) {
    const { $schema: _dropped, ...rest } = document;
    return rest;
  }
  return document;
}

function collectReferences(resolved: readonly ResolvedReference[], out: Map<string, unknown>, depth: number): void {
  if (depth > referenceDepthMax) throw new SchemaParseError(`References nest deeper than ${referenceDepthMax}`);
  for (const ref of resolved) {
    if (ref.schemaType !== 'JSON') throw new SchemaParseError(`Reference ${ref.name} is of type ${ref.schemaType}, not JSON`);
    collectReferences(ref.references, out, depth + 1);
    if (!out.has(ref.name)) out.set(ref.name, parseJsonText(ref.schema));
  }
}

export function parseJsonSchema(
  raw: string,
  references: readonly SchemaReference[],
  resolved: readonly ResolvedReference[],
  normalized = false,
): JsonParsedSchema {
  const document = parseJsonText(raw);
  if (!isPlainObject(document) && typeof document !== 'boolean') {
    throw new SchemaParseError(`Invalid schema: a JSON Schema must be an object or a boolean, not ${JSON.stringify(document)}`);
  }
  const referencedDocuments = new Map<string, unknown>();
  collectReferences(resolved, referencedDocuments, 0);
  const ajv = newAjv(document);
  let validate: ValidateFunction;
  try {
    for (const [name, doc] of referencedDocuments) addReference(ajv, name, doc, document);
    validate = ajv.compile(compilable(document) as AnySchema);
  } catch (err) {
    throw new SchemaParseError((err as Error).message, { cause: err });
  }
  const canonical = normalized ? sortedJson(document) : JSON.stringify(document);
  return { type: 'JSON', raw, canonical, references: [...references], document, referencedDocuments, resolved, validate };
}

/** Adds a referenced document under its name, and under the name resolved against the main `$id`. */
function addReference(ajv: AjvInstance, name: string, doc: unknown, main: unknown): void {
  const schema = compilable(doc);
  const ownId = isPlainObject(schema) && typeof schema['$id'] === 'string' ? schema['$id'] : undefined;
  if (ownId !== undefined && ajv.getSchema(ownId)) return;
  ajv.addSchema(schema as AnySchema, ownId === name ? undefined : name);
  const mainId = isPlainObject(main) && typeof main['$id'] === 'string' ? main['$id'] : undefined;
  if (!mainId) return;
  let absolute: string;
  try {
    absolute = new URL(name, mainId).href;
  } catch {
    return;
  }
  if (absolute !== name && absolute !== ownId && !ajv.getSchema(absolute)) ajv.addSchema({ $ref: name }, absolute);
}

export function normalizeJsonSchema(parsed: JsonParsedSchema): JsonParsedSchema {
  const again = parseJsonSchema(parsed.raw, parsed.references, parsed.resolved, true);
  return { ...again, raw: again.canonical };
}

/** Compact JSON with object keys sorted at every level. */
export function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The compiled ajv validate function of a parsed JSON schema (for serdes). */
export function jsonValidator(parsed: ParsedSchema): ValidateFunction {
  if (parsed.type !== 'JSON' || !('validate' in parsed)) throw new TypeError('expected a JSON schema returned by parseSchema');
  return (parsed as JsonParsedSchema).validate;
}
