/**
 * A minimal Schema Registry REST client for the CLI, on Node's fetch. A Confluent error answer
 * (`{"error_code", "message"}`) becomes a RegistryHttpError carrying both; an unreachable
 * registry becomes a CliError naming the URL.
 */
import { CliError, RegistryHttpError } from './errors.ts';

export { RegistryHttpError };

export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8081';
export const REGISTRY_URL_ENV = 'TRIBUTARY_REGISTRY_URL';
/** Upper bound for one request, connection included. */
export const REGISTRY_REQUEST_TIMEOUT_MS = 30_000;
/** Largest response body read; schemas are kilobytes, a full listing a few megabytes. */
export const REGISTRY_RESPONSE_BYTES_MAX = 64 * 1024 * 1024;
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Why a fetch failed: a socket error code in the cause chain, else the innermost message ("bad port", ...). */
function connectProblem(err: unknown): string {
  let innermost = err;
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    innermost = e;
    const code = (e as { code?: unknown }).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
    if (code === 'ECONNRESET') return 'connection reset';
    if ((e as { name?: unknown }).name === 'TimeoutError') return `no answer in ${REGISTRY_REQUEST_TIMEOUT_MS} ms`;
    e = (e as { cause?: unknown }).cause;
  }
  return innermost instanceof Error ? innermost.message : String(innermost);
}

export class RegistryClient {
  private readonly base: string;

  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** One request; `path` segments must already be encoded. Resolves with the parsed JSON body. */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: { accept: CONTENT_TYPE, ...(body !== undefined ? { 'content-type': CONTENT_TYPE } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REGISTRY_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new CliError(`cannot connect to schema registry at ${this.base}: ${connectProblem(err)}`, 1, { cause: err });
    }
    const length = Number(res.headers.get('content-length') ?? '0');
    if (length > REGISTRY_RESPONSE_BYTES_MAX) throw new CliError(`schema registry answer of ${length} bytes exceeds ${REGISTRY_RESPONSE_BYTES_MAX}`);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      if (res.ok) throw new CliError(`schema registry at ${this.base} answered ${method} ${path} with non-JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const e = parsed as { error_code?: unknown; message?: unknown } | null;
      if (e !== null && typeof e === 'object' && typeof e.message === 'string') {
        throw new RegistryHttpError(res.status, typeof e.error_code === 'number' ? e.error_code : res.status, e.message);
      }
      throw new RegistryHttpError(res.status, res.status, `HTTP ${res.status} ${res.statusText}`);
    }
    return parsed;
  }
}

/** `/subjects/<subject>` with the subject URL-encoded. */
export function subjectPath(subject: string): string {
  return `/subjects/${encodeURIComponent(subject)}`;
}
