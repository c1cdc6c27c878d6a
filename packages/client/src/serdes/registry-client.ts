// A Confluent Schema Registry REST client over node's fetch: register, lookup, fetch by id and
// latest-by-subject, with bounded caches. Ids and subject versions are immutable in the registry,
// so those answers are cached until evicted; "latest" is cached only for `latestCacheTtlMs`.
// Concurrent identical requests share one HTTP call.
import { BAD_RESPONSE_ERROR_CODE, SchemaRegistryError } from './errors.ts';

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

export interface Schema {
  schema: string;
  /** Omitted means AVRO, as in Confluent's API. */
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

export interface RegisteredSchema extends Required<Schema> {
  id: number;
  subject: string;
  version: number;
}

export interface SchemaRegistryClientOptions {
  /** Base URL(s); a comma-separated string or a list. Tried in order on connection failures. */
  url: string | readonly string[];
  /** Per-request deadline. Default 10 s. */
  timeoutMs?: number;
  /** Entries kept in each cache before the oldest is evicted. Default 1000. */
  cacheCapacity?: number;
  /** How long `getLatest` answers are reused; 0 disables, -1 keeps them forever. Default 0. */
  latestCacheTtlMs?: number;
  /** Extra request headers (e.g. Authorization). */
  headers?: Record<string, string>;
  /** Injected fetch (tests count calls with it). Default globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CACHE_CAPACITY = 1000;
/** Largest response body we read: schemas are text, and Confluent's own limit is far below this. */
export const responseBytesMax = 16 << 20;

/** A Map that drops its oldest entry beyond `capacity` (insertion order; a hit refreshes it). */
class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) { this.map.delete(key); this.map.set(key, v); }
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
  clear(): void { this.map.clear(); }
  get size(): number { return this.map.size; }
}

function normalizeSchema(s: Schema): Required<Schema> {
  return { schema: s.schema, schemaType: s.schemaType ?? 'AVRO', references: s.references ?? [] };
}

/** Cache key for a schema under a subject: its type, text and references. */
function schemaKey(subject: string, s: Required<Schema>): string {
  return `${subject}\u0000${s.schemaType}\u0000${JSON.stringify(s.references)}\u0000${s.schema}`;
}

function requestBody(s: Required<Schema>): string {
  const body: Record<string, unknown> = { schema: s.schema };
  if (s.schemaType !== 'AVRO') body['schemaType'] = s.schemaType;
  if (s.references.length > 0) body['references'] = s.references;
  return JSON.stringify(body);
}

interface SchemaAnswer { schema?: unknown; schemaType?: unknown; references?: unknown }

function toSchema(answer: SchemaAnswer, what: string): Required<Schema> {
  if (typeof answer.schema !== 'string') throw new SchemaRegistryError('REGISTRY_BAD_RESPONSE', `${what}: no schema string in the answer`, { errorCode: BAD_RESPONSE_ERROR_CODE });
  const type = answer.schemaType ?? 'AVRO';
  if (type !== 'AVRO' && type !== 'JSON' && type !== 'PROTOBUF') throw new SchemaRegistryError('REGISTRY_BAD_RESPONSE', `${what}: unknown schemaType ${String(type)}`, { errorCode: BAD_RESPONSE_ERROR_CODE });
  const references = Array.isArray(answer.references) ? (answer.references as SchemaReference[]) : [];
  return { schema: answer.schema, schemaType: type, references };
}

export class SchemaRegistryClient {
  private readonly urls: string[];
  private readonly timeoutMs: number;
  private readonly latestTtlMs: number;
  private readonly headers: Record<string, string>;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly byId: BoundedCache<number, Required<Schema>>;
  private readonly idBySchema: BoundedCache<string, number>;
  private readonly versionBySchema: BoundedCache<string, RegisteredSchema>;
  private readonly bySubjectVersion: BoundedCache<string, RegisteredSchema>;
  private readonly latest: BoundedCache<string, { at: number; value: RegisteredSchema }>;
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(opts: SchemaRegistryClientOptions) {
    const list = typeof opts.url === 'string' ? opts.url.split(',') : [...opts.url];
    this.urls = list.map((u) => u.trim().replace(/\/+$/, '')).filter((u) => u !== '');
    if (this.urls.length === 0) throw new TypeError('SchemaRegistryClient needs at least one url');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.latestTtlMs = opts.latestCacheTtlMs ?? 0;
    this.headers = opts.headers ?? {};
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    const cap = opts.cacheCapacity ?? DEFAULT_CACHE_CAPACITY;
    this.byId = new BoundedCache(cap);
    this.idBySchema = new BoundedCache(cap);
    this.versionBySchema = new BoundedCache(cap);
    this.bySubjectVersion = new BoundedCache(cap);
    this.latest = new BoundedCache(cap);
  }

  /** Registers `schema` under `subject` (or finds it registered already); resolves to its global id. */
  async register(subject: string, schema: Schema): Promise<number> {
    const s = normalizeSchema(schema);
    const key = schemaKey(subject, s);
    const cached = this.idBySchema.get(key);
    if (cached !== undefined) return cached;
    return this.once(`register\u0000${key}`, async () => {
      const answer = await this.request<{ id?: unknown }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, requestBody(s));
      if (typeof answer.id !== 'number') throw new SchemaRegistryError('REGISTRY_BAD_RESPONSE', `register ${subject}: no id in the answer`, { errorCode: BAD_RESPONSE_ERROR_CODE });
      this.idBySchema.set(key, answer.id);
      if (this.byId.get(answer.id) === undefined) this.byId.set(answer.id, s);
      return answer.id;
    });
  }

  /** The schema with global id `id` (40403 as a SchemaRegistryError when there is none). */
  async getSchemaById(id: number): Promise<Required<Schema>> {
    const cached = this.byId.get(id);
    if (cached !== undefined) return cached;
    return this.once(`id\u0000${id}`, async () => {
      const s = toSchema(await this.request<SchemaAnswer>('GET', `/schemas/ids/${id}`), `schema ${id}`);
      this.byId.set(id, s);
      return s;
    });
  }

  /** The latest version registered under `subject` (cached for `latestCacheTtlMs`). */
  async getLatest(subject: string): Promise<RegisteredSchema> {
    const hit = this.latest.get(subject);
    if (hit !== undefined && (this.latestTtlMs < 0 || Date.now() - hit.at < this.latestTtlMs)) return hit.value;
    return this.once(`latest\u0000${subject}`, async () => {
      const value = await this.fetchVersion(subject, 'latest');
      if (this.latestTtlMs !== 0) this.latest.set(subject, { at: Date.now(), value });
      return value;
    });
  }

  /** Version `version` of `subject` (versions are immutable, so cached). */
  async getVersion(subject: string, version: number): Promise<RegisteredSchema> {
    const key = `${subject}\u0000${version}`;
    const cached = this.bySubjectVersion.get(key);
    if (cached !== undefined) return cached;
    return this.once(`version\u0000${key}`, async () => {
      const value = await this.fetchVersion(subject, String(version));
      this.bySubjectVersion.set(key, value);
      return value;
    });
  }

  /** Finds `schema` among `subject`'s versions without registering it (40401 / 40403 when absent). */
  async lookup(subject: string, schema: Schema): Promise<RegisteredSchema> {
    const s = normalizeSchema(schema);
    const key = schemaKey(subject, s);
    const cached = this.versionBySchema.get(key);
    if (cached !== undefined) return cached;
    return this.once(`lookup\u0000${key}`, async () => {
      const answer = await this.request<SchemaAnswer & { id?: unknown; version?: unknown; subject?: unknown }>('POST', `/subjects/${encodeURIComponent(subject)}`, requestBody(s));
      const value = this.toRegistered(answer, subject);
      this.versionBySchema.set(key, value);
      this.idBySchema.set(key, value.id);
      return value;
    });
  }

  /** Forgets every cached answer. */
  clearCaches(): void {
    for (const c of [this.byId, this.idBySchema, this.versionBySchema, this.bySubjectVersion, this.latest]) c.clear();
  }

  private async fetchVersion(subject: string, version: string): Promise<RegisteredSchema> {
    const answer = await this.request<SchemaAnswer & { id?: unknown; version?: unknown; subject?: unknown }>('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`);
    const value = this.toRegistered(answer, subject);
    if (this.byId.get(value.id) === undefined) this.byId.set(value.id, { schema: value.schema, schemaType: value.schemaType, references: value.references });
    return value;
  }

  private toRegistered(answer: SchemaAnswer & { id?: unknown; version?: unknown; subject?: unknown }, subject: string): RegisteredSchema {
    const s = toSchema(answer, `subject ${subject}`);
    if (typeof answer.id !== 'number' || typeof answer.version !== 'number') {
      throw new SchemaRegistryError('REGISTRY_BAD_RESPONSE', `subject ${subject}: no id or version in the answer`, { errorCode: BAD_RESPONSE_ERROR_CODE });
    }
    return { ...s, id: answer.id, version: answer.version, subject: typeof answer.subject === 'string' ? answer.subject : subject };
  }

  /** Runs `fn` once for concurrent callers with the same key. */
  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const p = fn().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** One REST call, trying each URL in turn while the connection itself fails. */
  private async request<T>(method: string, path: string, body?: string): Promise<T> {
    let lastError: unknown;
    for (const base of this.urls) {
      let res: Response;
      try {
        res = await this.fetchFn(base + path, {
          method,
          headers: { accept: CONTENT_TYPE, ...(body !== undefined ? { 'content-type': CONTENT_TYPE } : {}), ...this.headers },
          ...(body !== undefined ? { body } : {}),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        if ((err as Error).name === 'TimeoutError') {
          throw new SchemaRegistryError('REGISTRY_TIMEOUT', `${method} ${base}${path}: no answer within ${this.timeoutMs} ms`, { cause: err });
        }
        lastError = err;
        continue;
      }
      return this.parse<T>(res, method, path);
    }
    throw new SchemaRegistryError('REGISTRY_UNREACHABLE', `${method} ${path}: no registry reachable at ${this.urls.join(', ')}: ${(lastError as Error)?.message}`, { cause: lastError });
  }

  private async parse<T>(res: Response, method: string, path: string): Promise<T> {
    let text: string;
    try {
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > responseBytesMax) throw new SchemaRegistryError('REGISTRY_LIMIT', `${method} ${path}: answer of ${declared} bytes exceeds ${responseBytesMax}`, { status: res.status });
      text = await res.text();
    } catch (err) {
      if (err instanceof SchemaRegistryError) throw err;
      const code = (err as Error).name === 'TimeoutError' ? 'REGISTRY_TIMEOUT' : 'REGISTRY_BAD_RESPONSE';
      throw new SchemaRegistryError(code, `${method} ${path}: reading the answer failed: ${(err as Error).message}`, { status: res.status, cause: err });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new SchemaRegistryError('REGISTRY_BAD_RESPONSE', `${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`, { status: res.status, errorCode: BAD_RESPONSE_ERROR_CODE, cause: err });
    }
    if (!res.ok) {
      const e = (json ?? {}) as { error_code?: unknown; message?: unknown };
      const errorCode = typeof e.error_code === 'number' ? e.error_code : res.status;
      const message = typeof e.message === 'string' ? e.message : `HTTP ${res.status}`;
      throw new SchemaRegistryError('REGISTRY_ERROR', message, { status: res.status, errorCode });
    }
    return json as T;
  }
}
