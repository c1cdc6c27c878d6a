/**
 * The few Schema Registry REST calls broker-side validation needs, over node's fetch (the broker
 * does not depend on @tributary/registry or @tributary/client, as Confluent Server talks to the
 * registry named by `confluent.schema.registry.url`).
 *
 * Per schema id: GET /schemas/ids/{id} (the schema, for record-name strategies and strict mode)
 * and GET /schemas/ids/{id}/versions (every subject-version using it), fetched in parallel; one
 * pair answers "is id N registered under subject S" for every subject, so the cache is keyed by id.
 */

/** Each HTTP call gives up after this long (the producer then gets a retriable error). */
export const REGISTRY_REQUEST_TIMEOUT_MS = 5000;
/** Referenced schemas (Avro references, strict mode) are followed this deep at most. */
const REFERENCE_DEPTH_MAX = 8;
/** Largest response body accepted from the registry. */
const RESPONSE_BYTES_MAX = 4 * 1024 * 1024;

export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export interface SchemaReference { readonly name: string; readonly subject: string; readonly version: number }

export interface RegisteredSchema {
  readonly schemaType: SchemaType;
  readonly schema: string;
  readonly references: readonly SchemaReference[];
  /** Subjects (default context) with a version using this id. */
  readonly subjects: ReadonlySet<string>;
  /** Referenced schemas' texts by reference name, transitively (filled for strict Avro only). */
  readonly referenced: ReadonlyMap<string, string>;
}

/** The registry could not be asked (network, timeout, 5xx, bad body): retriable for the producer. */
export class RegistryUnavailableError extends Error {
  readonly code = 'REGISTRY_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryUnavailableError';
  }
}

type Fetched = { found: true; body: unknown } | { found: false };

export class RegistryClient {
  private readonly urls: readonly string[];

  constructor(urls: readonly string[]) {
    this.urls = urls.map((u) => u.replace(/\/+$/, ''));
  }

  /** The schema registered with `id` and its subjects, or undefined when the id is unknown. */
  async schemaById(id: number, withReferences: boolean): Promise<RegisteredSchema | undefined> {
    const [schema, versions] = await Promise.all([this.get(`/schemas/ids/${id}`), this.get(`/schemas/ids/${id}/versions`)]);
    if (!schema.found) return undefined;
    const body = schema.body as { schema?: unknown; schemaType?: unknown; references?: unknown };
    if (typeof body.schema !== 'string') throw new RegistryUnavailableError(`Schema Registry answered /schemas/ids/${id} without a schema`);
    const schemaType = body.schemaType === 'JSON' || body.schemaType === 'PROTOBUF' ? body.schemaType : 'AVRO';
    const references = Array.isArray(body.references) ? body.references as SchemaReference[] : [];
    const subjects = new Set<string>();
    if (versions.found && Array.isArray(versions.body)) {
      for (const v of versions.body as { subject?: unknown }[]) if (typeof v.subject === 'string') subjects.add(v.subject);
    }
    const referenced = new Map<string, string>();
    if (withReferences && schemaType === 'AVRO') await this.collectReferences(references, referenced, 0);
    return { schemaType, schema: body.schema, references, subjects, referenced };
  }

  private async collectReferences(refs: readonly SchemaReference[], into: Map<string, string>, depth: number): Promise<void> {
    if (depth >= REFERENCE_DEPTH_MAX) throw new RegistryUnavailableError(`Schema references nest deeper than ${REFERENCE_DEPTH_MAX}`);
    for (const ref of refs) {
      if (into.has(ref.name)) continue;
      const r = await this.get(`/subjects/${encodeURIComponent(ref.subject)}/versions/${ref.version}`);
      if (!r.found) throw new RegistryUnavailableError(`Referenced schema ${ref.subject} version ${ref.version} not found`);
      const body = r.body as { schema?: unknown; references?: unknown };
      if (typeof body.schema !== 'string') throw new RegistryUnavailableError(`Referenced schema ${ref.subject} has no schema`);
      const nested = Array.isArray(body.references) ? body.references as SchemaReference[] : [];
      await this.collectReferences(nested, into, depth + 1);
      into.set(ref.name, body.schema); // after its own references: the order avsc needs to resolve names
    }
  }

  /** GET `path` from the first URL that answers; 404 is "not found", anything else non-2xx is unavailable. */
  private async get(path: string): Promise<Fetched> {
    let lastError: unknown;
    for (const base of this.urls) {
      let res: Response;
      try {
        res = await fetch(base + path, { signal: AbortSignal.timeout(REGISTRY_REQUEST_TIMEOUT_MS), headers: { accept: 'application/json' } });
      } catch (e) {
        lastError = e;
        continue; // unreachable: try the next URL
      }
      if (res.status === 404) {
        await res.body?.cancel();
        return { found: false };
      }
      const text = await res.text();
      if (!res.ok) throw new RegistryUnavailableError(`Schema Registry ${base}${path} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
      if (text.length > RESPONSE_BYTES_MAX) throw new RegistryUnavailableError(`Schema Registry response for ${path} exceeds ${RESPONSE_BYTES_MAX} bytes`);
      try {
        return { found: true, body: JSON.parse(text) as unknown };
      } catch (e) {
        throw new RegistryUnavailableError(`Schema Registry ${base}${path} answered invalid JSON`, { cause: e });
      }
    }
    throw new RegistryUnavailableError(`Schema Registry unreachable at ${this.urls.join(', ')}: ${String((lastError as Error)?.message ?? lastError)}`,
      { cause: lastError });
  }
}
