/**
 * A tiny raw Kafka client for broker tests: one socket, generated codecs, responses matched in
 * order (which also checks the broker keeps request order).
 */
import { connect, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader, type ApiSpec } from '@tributary/protocol';
import { decodeResponseHeader, encodeRequestFrame } from '@tributary/protocol/frame.ts';
import { startBroker, type Broker } from '../src/index.ts';
import { silentLogger } from '../src/logger.ts';
import { waitFor } from './network/helpers.ts';

interface Waiting {
  correlationId: number;
  decode: (r: Reader) => unknown;
  apiKey: number;
  version: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class TestClient {
  readonly socket: Socket;
  private nextCorrelationId = 1;
  private readonly waiting: Waiting[] = [];
  private pending = Buffer.alloc(0);
  closed = false;
  /** Frames the client did not expect (e.g. a response to acks=0). */
  readonly unexpected: Buffer[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w.reject(new Error('connection closed'));
    });
  }

  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(new TestClient(s)));
      s.once('error', reject);
    });
  }

  private onData(d: Buffer): void {
    this.pending = Buffer.concat([this.pending, d]);
    while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
      const frame = this.pending.subarray(4, 4 + this.pending.readInt32BE(0));
      this.pending = this.pending.subarray(4 + frame.length);
      const w = this.waiting.shift();
      if (w === undefined) { this.unexpected.push(frame); continue; }
      try {
        const r = new Reader(frame);
        const { correlationId } = decodeResponseHeader(r, w.apiKey, w.version);
        if (correlationId !== w.correlationId) throw new Error(`out of order: got ${correlationId}, expected ${w.correlationId}`);
        w.resolve(w.decode(r));
      } catch (e) {
        w.reject(e as Error);
      }
    }
  }

  request<Req, Res>(api: ApiSpec<Req, Res>, version: number, body: Req): Promise<Res> {
    const correlationId = this.nextCorrelationId++;
    const p = new Promise<Res>((resolve, reject) => {
      this.waiting.push({ correlationId, apiKey: api.apiKey, version, decode: (r) => api.decodeResponse(r, version), resolve: resolve as (v: unknown) => void, reject });
    });
    this.write(encodeRequestFrame(api, version, correlationId, 'test-client', body));
    return p;
  }

  /** Sends without expecting a response (acks=0). */
  send<Req>(api: ApiSpec<Req, unknown>, version: number, body: Req): void {
    this.write(encodeRequestFrame(api, version, this.nextCorrelationId++, 'test-client', body));
  }

  /** Raw bytes with a custom decoder for the reply (e.g. ApiVersions at an unknown version). */
  requestRaw(frame: Buffer[], correlationId: number, decode: (r: Reader) => unknown): Promise<unknown> {
    const p = new Promise((resolve, reject) => {
      this.waiting.push({ correlationId, apiKey: 18, version: 0, decode, resolve, reject });
    });
    this.write(frame);
    return p;
  }

  write(chunks: Buffer[]): void {
    for (const c of chunks) this.socket.write(c);
  }

  waitClosed(): Promise<void> {
    return waitFor(() => this.closed, 'connection close');
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface TestBroker {
  broker: Broker;
  port: number;
  dir: string;
  restart(extra?: Record<string, string>): Promise<void>;
}

/** Starts a broker on 127.0.0.1:0 with a temp log dir; always cleans up. */
export async function withBroker(props: Record<string, string>, fn: (b: TestBroker) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-broker-'));
  const all = (extra: Record<string, string> = {}): Record<string, string> =>
    ({ listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dir': dir, ...props, ...extra });
  const tb: TestBroker = {
    broker: await startBroker(all(), { log: silentLogger }),
    port: 0,
    dir,
    async restart(extra) {
      await tb.broker.close();
      tb.broker = await startBroker(all(extra), { log: silentLogger });
      tb.port = tb.broker.listeners[0]!.port;
    },
  };
  tb.port = tb.broker.listeners[0]!.port;
  try {
    await fn(tb);
  } finally {
    await tb.broker.close();
    await rm(dir, { recursive: true, force: true });
  }
}
