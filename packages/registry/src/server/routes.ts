import { errors } from './errors.ts';
import { versionJson, type RegistryService, type SchemaRequest, type VersionSpec } from './service.ts';
import type { SchemaType } from '../store/records.ts';

/** What a route hands back: JSON, or a raw string body (the `/schema` endpoints). */
export type RouteResult = { json: unknown } | { raw: string };

export interface RouteContext {
  params: string[];
  query: URLSearchParams;
  /** Parsed JSON body (undefined for requests without one). */
  body: unknown;
}

export interface Route {
  method: string;
  /** Path segments; `*` captures one (URL-decoded) segment. */
  pattern: readonly string[];
  /** Writes go to the leader (forwarded by followers). */
  write: boolean;
  handle(ctx: RouteContext): RouteResult | Promise<RouteResult>;
}

const VERSION_MAX = 2 ** 31 - 1;

export function parseVersion(text: string): VersionSpec {
  if (text === 'latest' || text === '-1') return 'latest';
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= VERSION_MAX) return n;
  }
  throw errors.invalidVersion(text);
}

/** A schema id path segment: anything but a positive integer is an unknown route (Jersey's 404). */
function parseId(text: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) > VERSION_MAX) throw errors.notFound();
  return Number(text);
}

const flag = (q: URLSearchParams, name: string): boolean => (q.get(name) ?? '').toLowerCase() === 'true';

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.unprocessable('Unrecognized request body: a JSON object is expected');
  return body as Record<string, unknown>;
}

/** Checks field types of a register/lookup/compatibility body; unknown fields are ignored. */
export function schemaRequest(body: unknown): SchemaRequest {
  const o = bodyObject(body);
  const schema = o['schema'] ?? '';
  if (typeof schema !== 'string') throw errors.unprocessable('Field "schema" must be a string');
  const schemaType = o['schemaType'] ?? 'AVRO';
  if (typeof schemaType !== 'string') throw errors.unprocessable('Field "schemaType" must be a string');
  const refsRaw = o['references'] ?? [];
  if (!Array.isArray(refsRaw)) throw errors.unprocessable('Field "references" must be an array');
  const references = refsRaw.map((r: unknown) => {
    const ref = bodyObject(r);
    const { name, subject, version } = ref;
    if (typeof name !== 'string' || typeof subject !== 'string' || !Number.isInteger(version)) {
      throw errors.unprocessable('A reference needs a string "name", a string "subject" and an integer "version"');
    }
    return { name, subject, version: version as number };
  });
  const out: SchemaRequest = { schema, schemaType: schemaType.toUpperCase() as SchemaType, references };
  for (const k of ['id', 'version'] as const) {
    const v = o[k];
    if (v === undefined || v === null) continue;
    if (!Number.isInteger(v)) throw errors.unprocessable(`Field "${k}" must be an integer`);
    if ((v as number) >= 0 || k === 'id') out[k] = v as number;
  }
  return out;
}

function validSubject(s: string): string {
  if (s.trim() === '' || /[\u0000-\u001f]/.test(s)) throw errors.invalidSubject(s);
  return s;
}

export function buildRoutes(svc: RegistryService, meta: { clusterId: () => string | null }): Route[] {
  const json = (v: unknown): RouteResult => ({ json: v });
  const r = (method: string, path: string, write: boolean, handle: Route['handle']): Route =>
    ({ method, pattern: path.split('/').filter((x) => x !== ''), write, handle });
  return [
    r('GET', '/', false, () => json({})),
    r('POST', '/', false, () => json({})),
    r('GET', '/v1/metadata/id', false, () => json({
      scope: { path: [], clusters: { 'kafka-cluster': meta.clusterId() ?? '', 'schema-registry-cluster': 'schema-registry' } },
    })),
    r('GET', '/schemas/types', false, () => json(['JSON', 'PROTOBUF', 'AVRO'])),
    r('GET', '/schemas', false, ({ query }) => json(svc.listSchemas(query.get('subjectPrefix'), flag(query, 'deleted'), flag(query, 'latestOnly')))),
    r('GET', '/schemas/ids/*', false, ({ params }) => json(svc.schemaById(parseId(params[0]!)))),
    r('GET', '/schemas/ids/*/schema', false, ({ params }) => ({ raw: svc.rawSchemaById(parseId(params[0]!)) })),
    r('GET', '/schemas/ids/*/versions', false, ({ params, query }) => json(svc.idVersions(parseId(params[0]!), flag(query, 'deleted')))),
    r('GET', '/schemas/ids/*/subjects', false, ({ params, query }) => json(svc.idSubjects(parseId(params[0]!), flag(query, 'deleted')))),
    r('GET', '/subjects', false, ({ query }) => json(svc.listSubjects(query.get('subjectPrefix'), flag(query, 'deleted')))),
    r('POST', '/subjects/*', false, ({ params, query, body }) => json(svc.lookup(params[0]!, schemaRequest(body), { normalize: flag(query, 'normalize'), deleted: flag(query, 'deleted') }))),
    r('DELETE', '/subjects/*', true, async ({ params, query }) => json(await svc.deleteSubject(params[0]!, flag(query, 'permanent')))),
    r('GET', '/subjects/*/versions', false, ({ params, query }) => json(svc.listVersions(params[0]!, flag(query, 'deleted')))),
    r('POST', '/subjects/*/versions', true, async ({ params, query, body }) => {
      const req = schemaRequest(body);
      return json(await svc.register(validSubject(params[0]!), req, { normalize: flag(query, 'normalize'), force: flag(query, 'force') }));
    }),
    r('GET', '/subjects/*/versions/*', false, ({ params, query }) => {
      const v = parseVersion(params[1]!);
      return json(versionJson(svc.getVersion(params[0]!, v, flag(query, 'deleted'))));
    }),
    r('DELETE', '/subjects/*/versions/*', true, async ({ params, query }) => json(await svc.deleteVersion(params[0]!, parseVersion(params[1]!), flag(query, 'permanent')))),
    r('GET', '/subjects/*/versions/*/schema', false, ({ params, query }) => ({ raw: svc.getVersion(params[0]!, parseVersion(params[1]!), flag(query, 'deleted')).schema })),
    r('GET', '/subjects/*/versions/*/referencedby', false, ({ params, query }) => json(svc.referencedBy(params[0]!, parseVersion(params[1]!), flag(query, 'deleted')))),
    r('POST', '/compatibility/subjects/*/versions', false, ({ params, query, body }) =>
      json(svc.checkCompatibility(params[0]!, null, schemaRequest(body), { verbose: flag(query, 'verbose'), normalize: flag(query, 'normalize') }))),
    r('POST', '/compatibility/subjects/*/versions/*', false, ({ params, query, body }) => {
      const v = parseVersion(params[1]!);
      return json(svc.checkCompatibility(params[0]!, v, schemaRequest(body), { verbose: flag(query, 'verbose'), normalize: flag(query, 'normalize') }));
    }),
    r('GET', '/config', false, () => json(svc.getConfig(null, true))),
    r('PUT', '/config', true, async ({ body }) => json(await svc.setConfig(null, bodyObject(body)))),
    r('DELETE', '/config', true, async () => json(await svc.deleteConfig(null))),
    r('GET', '/config/*', false, ({ params, query }) => json(svc.getConfig(params[0]!, flag(query, 'defaultToGlobal')))),
    r('PUT', '/config/*', true, async ({ params, body }) => json(await svc.setConfig(validSubject(params[0]!), bodyObject(body)))),
    r('DELETE', '/config/*', true, async ({ params }) => json(await svc.deleteConfig(params[0]!))),
    r('GET', '/mode', false, () => json(svc.getMode(null, true))),
    r('PUT', '/mode', true, async ({ body, query }) => json(await svc.setMode(null, bodyObject(body), flag(query, 'force')))),
    r('DELETE', '/mode', true, async () => json(await svc.deleteMode(null))),
    r('GET', '/mode/*', false, ({ params, query }) => json(svc.getMode(params[0]!, flag(query, 'defaultToGlobal')))),
    r('PUT', '/mode/*', true, async ({ params, body, query }) => json(await svc.setMode(validSubject(params[0]!), bodyObject(body), flag(query, 'force')))),
    r('DELETE', '/mode/*', true, async ({ params }) => json(await svc.deleteMode(params[0]!))),
  ];
}

/** Finds the route for a path; `allowed` lists methods when the path matches but the method does not. */
export function matchRoute(routes: readonly Route[], method: string, segments: readonly string[]): { route: Route; params: string[] } | { allowed: string[] } {
  const allowed: string[] = [];
  for (const route of routes) {
    if (route.pattern.length !== segments.length) continue;
    const params: string[] = [];
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      if (route.pattern[i] === '*') params.push(segments[i]!);
      else ok = route.pattern[i] === segments[i];
    }
    if (!ok) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return { allowed };
}
