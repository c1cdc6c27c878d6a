/**
 * The broker's TCP front end: one net.Server per listener, one Connection per socket, and the
 * broker-wide request budget (queued.max.requests). Socket and server errors are logged, never thrown.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ListenerConfig } from '../config/index.ts';
import type { Logger } from '../logger.ts';
import { Connection } from './connection.ts';
import type { ConnectionLimits, RequestDispatcher } from './types.ts';

export interface BoundListener {
  readonly name: string;
  /** Host as configured ('' = all interfaces). */
  readonly host: string;
  /** Actual bound port (differs from the configured one when that was 0). */
  readonly port: number;
}

export interface NetworkServerOptions extends ConnectionLimits {
  readonly listeners: readonly ListenerConfig[];
  /** Requests being handled across all connections before reading stops (queued.max.requests). */
  readonly queuedRequestsMax: number;
  readonly dispatcher: RequestDispatcher;
  readonly log: Logger;
}

export class NetworkServer {
  private readonly opts: NetworkServerOptions;
  private readonly servers: Server[] = [];
  private readonly connections = new Set<Connection>();
  private bound: BoundListener[] = [];
  private queuedRequests = 0;
  private nextConnectionId = 1;

  constructor(opts: NetworkServerOptions) {
    this.opts = opts;
  }

  get listeners(): readonly BoundListener[] {
    return this.bound;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async start(): Promise<void> {
    for (const l of this.opts.listeners) {
      const server = createServer({ allowHalfOpen: false }, (socket) => this.accept(socket, l.name));
      server.on('error', (err) => this.opts.log.error('listener error', { listener: l.name, err: String(err) }));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: l.port, host: l.host === '' ? undefined : l.host }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
      this.bound.push({ name: l.name, host: l.host, port: (server.address() as AddressInfo).port });
      this.opts.log.info('listening', { listener: l.name, host: l.host, port: this.bound.at(-1)!.port });
    }
  }

  /** Stops accepting, closes every connection (unsent responses are dropped) and waits for the sockets. */
  async close(): Promise<void> {
    const closing = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const c of this.connections) c.destroy();
    await Promise.all(closing);
    this.servers.length = 0;
    this.bound = [];
  }

  private accept(socket: Socket, listenerName: string): void {
    socket.on('error', () => {}); // a reset before the Connection is wired must not crash the process
    const info = {
      id: this.nextConnectionId++,
      listenerName,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localPort: socket.localPort ?? 0,
    };
    const hooks = {
      log: this.opts.log,
      tryAcquire: (): boolean => {
        if (this.queuedRequests >= this.opts.queuedRequestsMax) return false;
        this.queuedRequests++;
        return true;
      },
      release: (): void => {
        if (this.queuedRequests <= 0) throw new Error('invariant: request budget released more often than acquired');
        const wasFull = this.queuedRequests >= this.opts.queuedRequestsMax;
        this.queuedRequests--;
        if (wasFull) for (const c of this.connections) c.retry();
      },
    };
    const conn = new Connection(socket, info, this.opts.dispatcher, this.opts, hooks, (c) => this.connections.delete(c));
    this.connections.add(conn);
  }
}
