// JSON Schema with ajv: the dialect comes from `$schema` (draft-07 when absent, as Confluent
// assumes; draft-04 documents compile without their `$schema`, which ajv lacks). Each referenced
// document is added to the same ajv instance under its reference name, so `$ref: "<name>"` works.
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import { SerdeError } from './errors.ts';
import type { ResolvedReference } from './references.ts';
import { referenceDepthMax } from './references.ts';
import { HEADER_BYTES, writeHeader } from './wire.ts';

type AjvInstance = InstanceType<typeof Ajv>;
type AddFormats = (ajv: AjvInstance) => unknown;
// ajv-formats is CommonJS with `exports.default`: under ESM the function sits one level down
const addFormats: AddFormats =
  (ajvFormats.default as unknown as { default?: AddFormats }).default ?? (ajvFormats.default as unknown as AddFormats);

export interface JsonCompiled {
  readonly validate: ValidateFunction;
  /** The schema's `title`, which Confluent's record strategies use as the record name. */
  readonly recordName: string | undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function newAjv(document: unknown): AjvInstance {
  const dialect = isObject(document) && typeof document['$schema'] === 'string' ? document['$schema'] : '';
  const options = { strict: false, allErrors: false, validateFormats: true } as const;
  let ajv: AjvInstance;
  if (dialect.includes('draft/2020-12')) ajv = new Ajv2020(options) as unknown as AjvInstance;
  else if (dialect.includes('draft/2019-09')) ajv = new Ajv2019(options) as unknown as AjvInstance;
  else ajv = new Ajv(options);
  addFormats(ajv);
  return ajv;
}

function compilable(document: unknown): unknown {
  if (isObject(document) && typeof document['$schema'] === 'string' && !/draft-07|draft\/20(19|20)/.test(document['$schema'])) {
    const { $schema: _dropped, ...rest } = document;
    return rest;
  }
  return document;
}

function addReferences(ajv: AjvInstance, refs: readonly ResolvedReference[], seen: Set<string>, depth: number): void {
  if (depth > referenceDepthMax) throw new SerdeError('INVALID_SCHEMA', `references nest deeper than ${referenceDepthMax}`);
  for (const ref of refs) {
    if (ref.schemaType !== 'JSON') throw new SerdeError('INVALID_SCHEMA', `JSON schema references ${ref.name}, a ${ref.schemaType} schema`);
    if (seen.has(ref.name)) continue;
    seen.add(ref.name);
    addReferences(ajv, ref.references, seen, depth + 1);
    const doc = compilable(JSON.parse(ref.schema));
    const ownId = isObject(doc) && typeof doc['$id'] === 'string' ? doc['$id'] : undefined;
    if (ownId !== undefined && ajv.getSchema(ownId)) continue;
    ajv.addSchema(doc as AnySchema, ownId === ref.name ? undefined : ref.name);
  }
}

export function compileJson(schema: string | object, refs: readonly ResolvedReference[] = []): JsonCompiled {
  try {
    const document: unknown = typeof schema === 'string' ? JSON.parse(schema) : schema;
    const ajv = newAjv(document);
    addReferences(ajv, refs, new Set(), 0);
    const validate = ajv.compile(compilable(document) as AnySchema);
    const title = isObject(document) && typeof document['title'] === 'string' ? document['title'] : undefined;
    return { validate, recordName: title };
  } catch (err) {
    if (err instanceof SerdeError) throw err;
    throw new SerdeError('INVALID_SCHEMA', `invalid JSON Schema: ${(err as Error).message}`, { cause: err });
  }
}

export function validateJson(compiled: JsonCompiled, value: unknown): void {
  if (!compiled.validate(value)) {
    const first = compiled.validate.errors?.[0];
    const where = first ? `${first.instancePath || '/'} ${first.message ?? ''}` : 'rejected';
    throw new SerdeError('VALIDATION_FAILED', `value does not match the JSON Schema: ${where}`);
  }
}

export function writeJson(schemaId: number, value: unknown): Buffer {
  const text = JSON.stringify(value);
  if (text === undefined) throw new SerdeError('VALIDATION_FAILED', 'value has no JSON representation');
  const out = Buffer.allocUnsafe(HEADER_BYTES + Buffer.byteLength(text));
  writeHeader(out, schemaId);
  out.write(text, HEADER_BYTES);
  return out;
}

export function readJson(buf: Buffer, offset: number): unknown {
  try {
    return JSON.parse(buf.toString('utf8', offset));
  } catch (err) {
    throw new SerdeError('INVALID_PAYLOAD', `JSON body does not parse: ${(err as Error).message}`, { cause: err });
  }
}
