/**
 * Handler registry: each handler file exports a `Handler` (its API spec, the version range it
 * serves, `handle`, and `errorResponse` for unexpected failures); the broker registers them here.
 * ApiVersions is derived from this registry, so what is advertised is exactly what is served.
 */
import type { ApiSpec } from '@tributary/protocol';
import type { ApiVersionRange, RequestHeader } from '@tributary/protocol/frame.ts';
import type { BrokerContext } from '../broker-context.ts';
import type { ConnectionInfo } from '../network/index.ts';
import { CLOSE_CONNECTION, NO_RESPONSE } from '../network/index.ts';

export { CLOSE_CONNECTION, NO_RESPONSE };

/** What a handler may return instead of a response body. */
export type HandlerOutcome<Res> = Res | typeof NO_RESPONSE | typeof CLOSE_CONNECTION;

export interface RequestContext {
  readonly broker: BrokerContext;
  readonly header: RequestHeader;
  readonly connection: ConnectionInfo;
}

export interface Handler<Req = any, Res = any> {
  readonly api: ApiSpec<Req, Res>;
  readonly minVersion: number;
  readonly maxVersion: number;
  /**
   * The response; NO_RESPONSE when the protocol sends none (Produce with acks=0); CLOSE_CONNECTION
   * to drop the connection after earlier responses (how Kafka reports a failed acks=0 produce).
   */
  handle(ctx: RequestContext, request: Req, version: number): HandlerOutcome<Res> | Promise<HandlerOutcome<Res>>;
  /** The whole-request error reply (every partition/entry carrying `errorCode`), for unexpected failures. */
  errorResponse(request: Req, version: number, errorCode: number): Res;
}

/** Identity helper so handler files get their request/response types checked. */
export function defineHandler<Req, Res>(h: Handler<Req, Res>): Handler<Req, Res> {
  return h;
}

export class HandlerRegistry {
  private readonly handlers = new Map<number, Handler>();

  register(h: Handler): void {
    const key = h.api.apiKey;
    if (this.handlers.has(key)) throw new Error(`handler for ${h.api.name} (${key}) registered twice`);
    const specMax = h.api.latestVersionUnstable ? h.api.maxVersion - 1 : h.api.maxVersion;
    if (h.minVersion < h.api.minVersion || h.maxVersion > specMax || h.minVersion > h.maxVersion) {
      throw new Error(`${h.api.name} handler range ${h.minVersion}-${h.maxVersion} is outside the stable spec range ${h.api.minVersion}-${specMax}`);
    }
    this.handlers.set(key, h);
  }

  get(apiKey: number): Handler | undefined {
    return this.handlers.get(apiKey);
  }

  /** The ApiVersions list: every registered key with its served range, by key. */
  ranges(): ApiVersionRange[] {
    return [...this.handlers.values()]
      .map((h) => ({ apiKey: h.api.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }
}
