/**
 * A minimal Kafka client connection from this broker to another (the replica fetcher's link to a
 * leader): one socket, generated codecs, responses matched to requests in order. Every request has
 * a deadline on the injected clock (replica.socket.timeout.ms); a timeout or a socket error fails
 * every outstanding request and closes the connection, and the owner opens a new one.
 */
import { connect, type Socket } from 'node:net';
import { Reader, type ApiSpec } from '@tributary/protocol';
import { decodeResponseHeader, encodeRequestFrame } from '@tributary/protocol/frame.ts';
import type { Clock, TimerHandle } from '@tributary/storage';

/** Largest response frame accepted (a Fetch response is capped well below this by its MaxBytes). */
export const RESPONSE_BYTES_MAX = 256 * 1024 * 1024;

export class BrokerConnectionError extends Error {
  readonly code: 'CONNECT_FAILED' | 'DISCONNECTED' | 'TIMED_OUT' | 'BAD_RESPONSE';
  constructor(code: BrokerConnectionError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerConnectionError';
    this.code = code;
  }
}

interface Outstanding {
  readonly correlationId: number;
  readonly apiKey: number;
  readonly version: number;
  readonly decode: (r: Reader) => unknown;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly timer: TimerHandle;
}

export class BrokerConnection {
  private readonly socket: Socket;
  private readonly clock: Clock;
  private readonly clientId: string;
  private readonly outstanding: Outstanding[] = [];
  private chunks: Buffer[] = [];
  private buffered = 0;
  private nextCorrelationId = 1;
  private closedWith: Error | null = null;

  private constructor(socket: Socket, clock: Clock, clientId: string) {
    this.socket = socket;
    this.clock = clock;
    this.clientId = clientId;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(new BrokerConnectionError('DISCONNECTED', `connection error: ${e.message}`, { cause: e })));
    socket.on('close', () => this.fail(new BrokerConnectionError('DISCONNECTED', 'connection closed')));
  }

  static open(host: string, port: number, clock: Clock, clientId: string, timeoutMs: number): Promise<BrokerConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = clock.setTimeout(() => {
        socket.destroy();
        reject(new BrokerConnectionError('TIMED_OUT', `connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clock.clearTimeout(timer);
        resolve(new BrokerConnection(socket, clock, clientId));
      });
      socket.once('error', (e) => {
        clock.clearTimeout(timer);
        reject(new BrokerConnectionError('CONNECT_FAILED', `connect to ${host}:${port} failed: ${e.message}`, { cause: e }));
      });
    });
  }

  get isClosed(): boolean {
    return this.closedWith !== null;
  }

  request<Req, Res>(api: ApiSpec<Req, Res>, version: number, body: Req, timeoutMs: number): Promise<Res> {
    if (this.closedWith !== null) return Promise.reject(this.closedWith);
    const correlationId = this.nextCorrelationId++;
    const p = new Promise<Res>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.fail(new BrokerConnectionError('TIMED_OUT', `${api.name} request timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.outstanding.push({
        correlationId, apiKey: api.apiKey, version, timer,
        decode: (r) => api.decodeResponse(r, version), resolve: resolve as (v: unknown) => void, reject,
      });
    });
    for (const c of encodeRequestFrame(api, version, correlationId, this.clientId, body)) this.socket.write(c);
    return p;
  }

  close(): void {
    this.fail(new BrokerConnectionError('DISCONNECTED', 'connection closed locally'));
  }

  private onData(d: Buffer): void {
    this.chunks.push(d);
    this.buffered += d.length;
    while (this.buffered >= 4) {
      const head = this.chunks.length === 1 ? this.chunks[0]! : this.joinChunks();
      const size = head.readInt32BE(0);
      if (size < 0 || size > RESPONSE_BYTES_MAX) {
        this.fail(new BrokerConnectionError('BAD_RESPONSE', `response frame size ${size} out of range`));
        return;
      }
      if (this.buffered < 4 + size) return;
      const all = this.joinChunks();
      const frame = all.subarray(4, 4 + size);
      const rest = all.subarray(4 + size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.onFrame(frame);
    }
  }

  /** Joins the buffered chunks once per complete frame (not per socket read). */
  private joinChunks(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }

  private onFrame(frame: Buffer): void {
    const w = this.outstanding.shift();
    if (w === undefined) {
      this.fail(new BrokerConnectionError('BAD_RESPONSE', 'response without a request'));
      return;
    }
    this.clock.clearTimeout(w.timer);
    try {
      const r = new Reader(frame);
      const { correlationId } = decodeResponseHeader(r, w.apiKey, w.version);
      if (correlationId !== w.correlationId) throw new Error(`correlation id ${correlationId}, expected ${w.correlationId}`);
      w.resolve(w.decode(r));
    } catch (e) {
      w.reject(new BrokerConnectionError('BAD_RESPONSE', `undecodable response: ${(e as Error).message}`, { cause: e }));
      this.fail(new BrokerConnectionError('BAD_RESPONSE', 'undecodable response'));
    }
  }

  private fail(err: Error): void {
    if (this.closedWith === null) this.closedWith = err;
    for (const w of this.outstanding.splice(0)) {
      this.clock.clearTimeout(w.timer);
      w.reject(err);
    }
    this.socket.destroy();
  }
}
