import type { Logger } from '../logger.ts';

/** What a dispatcher hands back for one request, in the order requests arrived. */
export const NO_RESPONSE: unique symbol = Symbol('NO_RESPONSE');
export const CLOSE_CONNECTION: unique symbol = Symbol('CLOSE_CONNECTION');
/** Size-prefixed response chunks (written with cork/uncork, never concatenated), or a marker. */
export type ResponseSlot = Buffer[] | typeof NO_RESPONSE | typeof CLOSE_CONNECTION;

export interface ConnectionInfo {
  readonly id: number;
  readonly listenerName: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
}

/**
 * Turns one request frame (without its size prefix) into a response slot. It may answer later
 * (delayed Fetch/Produce); the connection still writes responses strictly in request order.
 * A throw or rejection is logged and closes the connection.
 */
export interface RequestDispatcher {
  dispatch(frame: Buffer, conn: ConnectionInfo): ResponseSlot | Promise<ResponseSlot>;
}

export interface ConnectionLimits {
  /** Largest request frame (socket.request.max.bytes). */
  readonly requestBytesMax: number;
  /** Unanswered requests per connection before reading stops. */
  readonly inflightRequestsMax: number;
  /** Idle connections are closed after this long (connections.max.idle.ms). */
  readonly idleTimeoutMs: number;
}

export interface ConnectionHooks {
  readonly log: Logger;
  /** Global request budget (queued.max.requests): true when this connection may take another request. */
  readonly tryAcquire: () => boolean;
  readonly release: () => void;
}
