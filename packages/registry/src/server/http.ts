import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors, RegistryError } from './errors.ts';
import { bodyEncoding, negotiate, V1_JSON } from './negotiation.ts';
import { matchRoute, type Route, type RouteResult } from './routes.ts';

/** Largest request body accepted (a schema is at most 1 MiB; references and JSON escaping add some). */
export const requestBytesMax = 8 * 1024 * 1024;
/** Header set on forwarded requests so a follower never forwards a forwarded request again. */
const FORWARDED_HEADER = 'x-tributary-forwarded';
const FORWARD_TIMEOUT_MS = 30_000;

export interface LeaderView {
  /** True when this instance handles writes itself. */
  isLeader(): boolean;
  /** The leader's base URL, waiting up to `timeoutMs` while an election is in progress; null if unknown. */
  leaderUrl(timeoutMs: number): Promise<string | null>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  routes: readonly Route[];
  leader: LeaderView;
  onError?: (err: unknown) => void;
}

/**
 * The REST front: routing, content negotiation, JSON bodies, Confluent error bodies, and
 * forwarding of writes to the leader. Handlers never see raw HTTP.
 */
export class RegistryHttpServer {
  private readonly server: Server;

  constructor(private readonly opts: HttpServerOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => { this.server.off('error', reject); resolve(); });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let mediaType = V1_JSON;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const segments = url.pathname.split('/').filter((s) => s !== '').map(decodeSegment);
      const method = (req.method ?? 'GET').toUpperCase();
      const match = matchRoute(this.opts.routes, method, segments);
      if ('allowed' in match) throw match.allowed.length > 0 ? errors.methodNotAllowed() : errors.notFound();
      const hasBody = method === 'POST' || method === 'PUT';
      const encoding = hasBody ? bodyEncoding(req.headers['content-type']) : 'utf-8';
      if (encoding === null) throw errors.unsupportedMediaType();
      const negotiated = negotiate(req.headers.accept);
      if (negotiated === null) throw errors.notAcceptable();
      mediaType = negotiated;
      const bytes = await readBody(req);
      if (match.route.write && !this.opts.leader.isLeader()) {
        await this.forward(req, res, bytes, url);
        return;
      }
      const body = hasBody ? parseJson(bytes, encoding) : undefined;
      const result = await match.route.handle({ params: match.params, query: url.searchParams, body });
      send(res, 200, mediaType, result);
    } catch (err) {
      const e = err instanceof RegistryError ? err : new RegistryError(50001, `Error in the registry: ${(err as Error).message}`, { cause: err });
      if (!(err instanceof RegistryError)) this.opts.onError?.(err);
      send(res, e.status, mediaType, { json: e.toJSON() });
    }
  }

  private async forward(req: IncomingMessage, res: ServerResponse, bytes: Buffer, url: URL): Promise<void> {
    if (req.headers[FORWARDED_HEADER] !== undefined) throw errors.forwardingFailed('Request was forwarded to an instance that is not the leader');
    const leader = await this.opts.leader.leaderUrl(FORWARD_TIMEOUT_MS / 3);
    if (leader === null) throw errors.unknownLeader();
    const headers: Record<string, string> = { [FORWARDED_HEADER]: '1' };
    for (const h of ['content-type', 'accept', 'authorization']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    let answer: Response;
    try {
      answer = await fetch(new URL(url.pathname + url.search, leader), {
        method: req.method, headers, body: bytes.length > 0 ? new Uint8Array(bytes) : null, signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
    } catch (err) {
      throw errors.forwardingFailed(`Error while forwarding the request to the leader ${leader}: ${(err as Error).message}`, err);
    }
    const out = Buffer.from(await answer.arrayBuffer());
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? V1_JSON, 'content-length': out.length });
    res.end(out);
  }
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw errors.notFound();
  }
}

function send(res: ServerResponse, status: number, mediaType: string, result: RouteResult): void {
  const text = 'raw' in result ? result.raw : JSON.stringify(result.json);
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, { 'content-type': mediaType, 'content-length': body.length });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > requestBytesMax) throw errors.unprocessable(`Request body exceeds ${requestBytesMax} bytes`);
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function parseJson(bytes: Buffer, encoding: string): unknown {
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw errors.unprocessable(`Request body cannot be decoded as ${encoding}`);
  }
  if (text.trim() === '') throw errors.unprocessable('Request body is empty');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.unprocessable(`Unrecognized JSON: ${(err as Error).message}`);
  }
}
