import { connect as netConnect, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { Reader, type ApiSpec } from '@tributary/protocol';
import { encodeRequestFrame, decodeResponseHeader } from '@tributary/protocol/frame.ts';
import { ApiVersionsApi } from '@tributary/protocol/generated/index.ts';
import type { ApiVersionsResponse } from '@tributary/protocol/generated/18-api-versions.ts';
import { ClientError } from '../errors.ts';
import { negotiateVersion, type VersionRange } from './versions.ts';

export const CLIENT_SOFTWARE_NAME = 'tributary';
export const CLIENT_SOFTWARE_VERSION = '0.1.0';
const API_VERSIONS_KEY = 18;
const API_VERSIONS_VERSION_MAX = 3;
const UNSUPPORTED_VERSION_CODE = 35;

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId?: string;
  /** Default deadline for a response, per request. */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Requests written and awaiting a response; more wait in a local queue. */
  maxInFlight?: number;
  /** Requests waiting for an in-flight slot; beyond it `send` rejects with BUFFER_FULL. */
  queueMax?: number;
  /** Largest response frame accepted; a bigger size prefix closes the connection. */
  responseBytesMax?: number;
}

const DEFAULTS = {
  clientId: 'tributary',
  requestTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxInFlight: 64,
  queueMax: 10_000,
  responseBytesMax: 256 * 1024 * 1024,
};

interface Pending {
  readonly correlationId: number;
  readonly api: ApiSpec;
  readonly version: number;
  readonly frame: Buffer[];
  readonly expectResponse: boolean;
  readonly timeoutMs: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | null;
}

export interface SendOptions {
  /** Forces a version instead of negotiating (the ApiVersions handshake uses this). */
  version?: number;
  timeoutMs?: number;
}

/**
 * One socket to one broker. Requests are pipelined up to `maxInFlight`, matched to responses by
 * correlation id, and each has a deadline. When the socket closes, every pending request is
 * rejected with CONNECTION_CLOSED. Emits 'close' (err?) once.
 */
export class Connection extends EventEmitter {
  readonly host: string;
  readonly port: number;
  private readonly opts: typeof DEFAULTS;
  private socket: Socket | null = null;
  private nextCorrelationId = 0;
  private readonly inFlight = new Map<number, Pending>();
  private readonly queue: Pending[] = [];
  private blocked = false;
  private closedError: ClientError | null = null;
  private readonly chunks: Buffer[] = [];
  private chunkBytes = 0;
  private brokerVersions = new Map<number, VersionRange>();

  constructor(options: ConnectionOptions) {
    super();
    this.host = options.host;
    this.port = options.port;
    this.opts = {
      clientId: options.clientId ?? DEFAULTS.clientId,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      maxInFlight: options.maxInFlight ?? DEFAULTS.maxInFlight,
      queueMax: options.queueMax ?? DEFAULTS.queueMax,
      responseBytesMax: options.responseBytesMax ?? DEFAULTS.responseBytesMax,
    };
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Number of requests written and awaiting a response. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Opens the socket and negotiates versions with ApiVersions (v3, falling back to v0). */
  async connect(): Promise<void> {
    await this.openSocket();
    await this.handshake();
  }

  private openSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: this.host, port: this.port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ClientError('CONNECT_FAILED', `connect to ${this.host}:${this.port} timed out after ${this.opts.connectTimeoutMs} ms`));
      }, this.opts.connectTimeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        reject(new ClientError('CONNECT_FAILED', `connect to ${this.host}:${this.port} failed: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        this.attach(socket);
        resolve();
      });
    });
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.blocked = false;
      this.pump();
      this.emit('drain');
    });
    socket.on('error', (err) => this.fail(new ClientError('CONNECTION_CLOSED', `connection to ${this.host}:${this.port} failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new ClientError('CONNECTION_CLOSED', `connection to ${this.host}:${this.port} closed`)));
  }

  /**
   * ApiVersions at our highest version; on UNSUPPORTED_VERSION retry at the highest version the
   * broker lists for ApiVersions (when below the one just tried), else v0, as Kafka's clients do.
   */
  private async handshake(): Promise<void> {
    let version = API_VERSIONS_VERSION_MAX;
    let res: ApiVersionsResponse;
    for (;;) {
      res = await this.send(ApiVersionsApi, {
        clientSoftwareName: CLIENT_SOFTWARE_NAME,
        clientSoftwareVersion: CLIENT_SOFTWARE_VERSION,
      }, { version });
      if (res.errorCode !== UNSUPPORTED_VERSION_CODE || version === 0) break;
      const listed = res.apiKeys.find((k) => k.apiKey === API_VERSIONS_KEY);
      version = listed !== undefined && listed.maxVersion < version && listed.maxVersion >= 0 ? listed.maxVersion : 0;
    }
    if (res.errorCode !== 0) {
      this.close();
      throw new ClientError('PROTOCOL_VIOLATION', `ApiVersions v${version} failed with error code ${res.errorCode}`);
    }
    const versions = new Map<number, VersionRange>();
    for (const k of res.apiKeys) versions.set(k.apiKey, { min: k.minVersion, max: k.maxVersion });
    this.brokerVersions = versions;
  }

  /** The broker's advertised range for an API key, if any. */
  brokerRange(apiKey: number): VersionRange | undefined {
    return this.brokerVersions.get(apiKey);
  }

  /** Version to use for `api` on this connection (throws UNSUPPORTED_VERSION if none). */
  versionFor(api: ApiSpec, client?: VersionRange): number {
    return negotiateVersion(api.apiKey, api.name, { min: api.minVersion, max: api.maxVersion }, this.brokerVersions.get(api.apiKey), client);
  }

  /** Sends a request and resolves with its decoded response. */
  send<Req, Res>(api: ApiSpec<Req, Res>, body: Req, options?: SendOptions): Promise<Res> {
    return this.enqueue(api as ApiSpec, body, true, options) as Promise<Res>;
  }

  /** Sends a request that gets no response (Produce with acks=0); resolves once handed to the socket. */
  sendNoResponse<Req>(api: ApiSpec<Req, unknown>, body: Req, options?: SendOptions): Promise<void> {
    return this.enqueue(api as ApiSpec, body, false, options) as Promise<void>;
  }

  private enqueue(api: ApiSpec, body: unknown, expectResponse: boolean, options: SendOptions | undefined): Promise<unknown> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    if (this.queue.length >= this.opts.queueMax) {
      return Promise.reject(new ClientError('BUFFER_FULL', `request queue to ${this.host}:${this.port} is full (${this.opts.queueMax})`));
    }
    let version: number;
    let frame: Buffer[];
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    try {
      version = options?.version ?? this.versionFor(api);
      frame = encodeRequestFrame(api, version, correlationId, this.opts.clientId, body);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        correlationId, api, version, frame, expectResponse, resolve, reject, timer: null,
        timeoutMs: options?.timeoutMs ?? this.opts.requestTimeoutMs,
      });
      this.pump();
    });
  }

  /** Writes queued requests while there are free in-flight slots and the socket is not blocked. */
  private pump(): void {
    const socket = this.socket;
    if (socket === null) return;
    while (this.queue.length > 0 && !this.blocked && this.inFlight.size < this.opts.maxInFlight) {
      const p = this.queue.shift()!;
      let ok = true;
      socket.cork();
      for (const chunk of p.frame) ok = socket.write(chunk) && ok;
      socket.uncork();
      if (!ok) this.blocked = true;
      if (p.expectResponse) {
        this.inFlight.set(p.correlationId, p);
        p.timer = setTimeout(() => this.onTimeout(p), p.timeoutMs);
      } else {
        p.resolve(undefined);
      }
    }
  }

  /** True when the caller should wait for 'drain' before sending more. */
  get congested(): boolean {
    return this.blocked || this.queue.length > 0;
  }

  private onTimeout(p: Pending): void {
    if (!this.inFlight.delete(p.correlationId)) return;
    p.reject(new ClientError('REQUEST_TIMEOUT', `${p.api.name} v${p.version} to ${this.host}:${this.port} timed out after ${p.timeoutMs} ms`));
    // The response may still arrive; it will be ignored. Keep the connection: Kafka clients do the same.
    this.pump();
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
    while (this.chunkBytes >= 4) {
      const size = this.peekSize();
      if (size < 0 || size > this.opts.responseBytesMax) {
        this.fail(new ClientError('FRAME_TOO_LARGE', `response frame of ${size} bytes from ${this.host}:${this.port} exceeds ${this.opts.responseBytesMax}`));
        this.socket?.destroy();
        return;
      }
      if (this.chunkBytes < 4 + size) return;
      const frame = this.takeBytes(4 + size).subarray(4);
      this.onFrame(frame);
      if (this.closedError !== null) return;
    }
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = this.takeBytes(4);
    this.chunks.unshift(head);
    this.chunkBytes += 4;
    return head.readInt32BE(0);
  }

  /** Removes n bytes from the front of the chunk list; copies only when they span chunks. */
  private takeBytes(n: number): Buffer {
    this.chunkBytes -= n;
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const take = Math.min(c.length, n - at);
      c.copy(out, at, 0, take);
      at += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    return out;
  }

  private onFrame(frame: Buffer): void {
    if (frame.length < 4) {
      this.protocolViolation('response frame shorter than its header');
      return;
    }
    const correlationId = frame.readInt32BE(0);
    const p = this.inFlight.get(correlationId);
    if (p === undefined) return; // timed out earlier; drop the late response
    this.inFlight.delete(correlationId);
    if (p.timer !== null) clearTimeout(p.timer);
    try {
      const r = new Reader(frame);
      decodeResponseHeader(r, p.api.apiKey, p.version);
      p.resolve(p.api.apiKey === API_VERSIONS_KEY
        ? decodeApiVersionsBody(frame, r.offset, p.version)
        : p.api.decodeResponse(r, p.version));
    } catch (err) {
      p.reject(new ClientError('PROTOCOL_VIOLATION', `cannot decode ${p.api.name} v${p.version} response: ${(err as Error).message}`, { cause: err }));
    }
    this.pump();
  }

  private protocolViolation(message: string): void {
    this.fail(new ClientError('PROTOCOL_VIOLATION', `${message} (${this.host}:${this.port})`));
    this.socket?.destroy();
  }

  /** Rejects every pending request with `err` and closes the socket. Idempotent. */
  private fail(err: ClientError): void {
    if (this.closedError !== null) return;
    this.closedError = err;
    for (const p of this.inFlight.values()) {
      if (p.timer !== null) clearTimeout(p.timer);
      p.reject(err);
    }
    this.inFlight.clear();
    for (const p of this.queue) p.reject(err);
    this.queue.length = 0;
    this.socket?.destroy();
    this.emit('close', err);
  }

  /** Closes the socket; pending requests reject with CONNECTION_CLOSED. */
  close(): void {
    this.fail(new ClientError('CONNECTION_CLOSED', `connection to ${this.host}:${this.port} closed by client`));
  }
}

/**
 * Decodes an ApiVersions response body. A broker that does not know the version we sent answers
 * UNSUPPORTED_VERSION in a layout we cannot predict: Kafka writes v0 (KIP-511), librdkafka's mock
 * cluster a mix of v0 and flexible fields. As Kafka's clients do, a body that fails to decode at
 * the requested version, or carries UNSUPPORTED_VERSION, is read again as v0; if that fails too,
 * the requested-version reading is kept, or a bare UNSUPPORTED_VERSION so the handshake retries at v0.
 */
export function decodeApiVersionsBody(frame: Buffer, bodyAt: number, version: number): ApiVersionsResponse {
  let first: ApiVersionsResponse | null = null;
  let firstError: unknown = null;
  try {
    first = ApiVersionsApi.decodeResponse(new Reader(frame, bodyAt), version);
    if (first.errorCode !== UNSUPPORTED_VERSION_CODE || version === 0) return first;
  } catch (err) {
    if (version === 0) throw err;
    firstError = err;
  }
  try {
    return ApiVersionsApi.decodeResponse(new Reader(frame, bodyAt), 0);
  } catch {
    if (first !== null) return first;
    if (frame.length >= bodyAt + 2 && frame.readInt16BE(bodyAt) === UNSUPPORTED_VERSION_CODE) {
      return { errorCode: UNSUPPORTED_VERSION_CODE, apiKeys: [] };
    }
    throw firstError;
  }
}
