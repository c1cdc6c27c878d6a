/**
 * Turns a request frame into a response frame: header, handler lookup, version check, body
 * decoding, the handler call, and response encoding. Kafka's rules for bad requests:
 * - unknown API key, undecodable header or body: close the connection;
 * - known key at an unsupported version: close, except ApiVersions, which gets a v0-layout
 *   UNSUPPORTED_VERSION reply listing our ranges;
 * - a handler exception: logged, answered with the handler's UNKNOWN_SERVER_ERROR response (close
 *   if even that cannot be built).
 */
import { Reader } from '@tributary/protocol';
import { decodeRequestHeader, encodeApiVersionsUnsupportedResponse, encodeResponseFrame, type RequestHeader } from '@tributary/protocol/frame.ts';
import { ErrorCode } from '../error-codes.ts';
import type { BrokerContext } from '../broker-context.ts';
import {
  CLOSE_CONNECTION, NO_RESPONSE, type ConnectionInfo, type RequestDispatcher, type ResponseSlot,
} from '../network/index.ts';
import type { Handler, HandlerRegistry, RequestContext } from './registry.ts';

const API_VERSIONS_KEY = 18;

export class KafkaRequestDispatcher implements RequestDispatcher {
  private readonly broker: BrokerContext;
  private readonly registry: HandlerRegistry;

  constructor(broker: BrokerContext, registry: HandlerRegistry) {
    this.broker = broker;
    this.registry = registry;
  }

  dispatch(frame: Buffer, connection: ConnectionInfo): ResponseSlot | Promise<ResponseSlot> {
    const r = new Reader(frame);
    let header: RequestHeader;
    try {
      header = decodeRequestHeader(r);
    } catch (err) {
      return this.reject(connection, 'undecodable request header', err);
    }
    const handler = this.registry.get(header.requestApiKey);
    if (handler === undefined) return this.reject(connection, `unknown API key ${header.requestApiKey}`);
    const version = header.requestApiVersion;
    if (version < handler.minVersion || version > handler.maxVersion) {
      if (header.requestApiKey === API_VERSIONS_KEY) {
        return encodeApiVersionsUnsupportedResponse(header.correlationId, this.registry.ranges());
      }
      return this.reject(connection, `${handler.api.name} v${version} is not supported (${handler.minVersion}-${handler.maxVersion})`);
    }
    let request: unknown;
    try {
      request = handler.api.decodeRequest(r, version);
    } catch (err) {
      return this.reject(connection, `undecodable ${handler.api.name} v${version} request`, err);
    }
    const ctx: RequestContext = { broker: this.broker, header, connection };
    let result: unknown;
    try {
      result = handler.handle(ctx, request, version);
    } catch (err) {
      return this.failed(handler, ctx, request, err);
    }
    if (result instanceof Promise) {
      return result.then((res) => this.encode(handler, header, res), (err: unknown) => this.failed(handler, ctx, request, err));
    }
    return this.encode(handler, header, result);
  }

  private encode(handler: Handler, header: RequestHeader, response: unknown): ResponseSlot {
    if (response === NO_RESPONSE || response === CLOSE_CONNECTION) return response;
    return encodeResponseFrame(handler.api, header.requestApiVersion, header.correlationId, response);
  }

  private failed(handler: Handler, ctx: RequestContext, request: unknown, err: unknown): ResponseSlot {
    const { header } = ctx;
    this.broker.log.error('request handler failed', {
      api: handler.api.name, version: header.requestApiVersion, clientId: header.clientId, conn: ctx.connection.id,
      err: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    try {
      const response = handler.errorResponse(request, header.requestApiVersion, ErrorCode.UNKNOWN_SERVER_ERROR);
      return encodeResponseFrame(handler.api, header.requestApiVersion, header.correlationId, response);
    } catch (e) {
      return this.reject(ctx.connection, 'could not build an error response', e);
    }
  }

  private reject(connection: ConnectionInfo, reason: string, err?: unknown): ResponseSlot {
    this.broker.log.warn('closing connection', {
      conn: connection.id, remote: connection.remoteAddress, reason, err: err === undefined ? undefined : String(err),
    });
    return CLOSE_CONNECTION;
  }
}
