import { createServer, type Server, type Socket } from 'node:net';
import { Reader, type ApiSpec } from '@tributary/protocol';
import { decodeRequestHeader, encodeResponseFrame, type RequestHeader } from '@tributary/protocol/frame.ts';
import { apiSpecByKey } from '@tributary/protocol/generated/index.ts';

export interface FakeRequest {
  header: RequestHeader;
  body: unknown;
  socket: Socket;
  /** Writes a response for this request. */
  reply<Res>(api: ApiSpec<unknown, Res>, body: Res): void;
  /** Writes raw frame chunks. */
  raw(chunks: Buffer[]): void;
}

/**
 * A TCP server speaking just enough Kafka framing for client tests: it decodes each request and
 * hands it to `onRequest`, which answers now, later, or never.
 */
export class FakeBroker {
  readonly server: Server;
  readonly sockets = new Set<Socket>();
  port = 0;
  onRequest: (req: FakeRequest) => void = () => undefined;

  constructor() {
    this.server = createServer((socket) => this.accept(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        const r = new Reader(frame);
        const header = decodeRequestHeader(r);
        const spec = apiSpecByKey(header.requestApiKey);
        let body: unknown = null;
        try {
          if (spec !== undefined && header.requestApiVersion <= spec.maxVersion) body = spec.decodeRequest(r, header.requestApiVersion);
        } catch {
          body = null;
        }
        this.onRequest({
          header, body, socket,
          reply: (api, res) => {
            if (!socket.destroyed) for (const c of encodeResponseFrame(api, header.requestApiVersion, header.correlationId, res)) socket.write(c);
          },
          raw: (chunks) => { for (const c of chunks) socket.write(c); },
        });
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
