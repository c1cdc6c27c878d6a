// Request/response framing: the int32 size prefix and the header, whose version depends on the
// API and its version (see kafka-protocol README, "Headers"). Sans-IO: buffers in, buffers out.
import type { ApiSpec } from './api-spec.ts';
import { Reader } from './wire/reader.ts';
import { Writer } from './wire/writer.ts';
import { skipTaggedFields } from './codec-support.ts';
import { apiSpecByKey, ApiKey } from './generated/index.ts';
import { decodeRequestHeader as decodeRequestHeaderFields, encodeRequestHeader } from './generated/request-header.ts';
import { encodeApiVersionsResponse } from './generated/18-api-versions.ts';
import { ErrorCode } from './errors.ts';

export interface RequestHeader {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const spec = apiSpecByKey(apiKey);
  return spec !== undefined && apiVersion >= spec.flexibleMin;
}

/** Request header version: 2 for flexible API versions, else 1; ControlledShutdown v0 uses v0. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

/**
 * Response header version: 1 for flexible API versions, else 0. ApiVersions always answers with
 * v0 (KIP-511) so a client can parse the reply before it knows what the broker supports.
 */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}

/**
 * Decodes a request header, choosing its version from the key and version it starts with. An
 * unknown key or version is read as header v1 (no tagged section) so the broker can still
 * answer it, e.g. ApiVersions at a future version with UNSUPPORTED_VERSION.
 */
export function decodeRequestHeader(r: Reader): RequestHeader {
  const start = r.offset;
  const apiKey = r.int16();
  const apiVersion = r.int16();
  r.offset = start;
  const spec = apiSpecByKey(apiKey);
  const known = spec !== undefined && apiVersion >= spec.minVersion && apiVersion <= spec.maxVersion;
  const header = decodeRequestHeaderFields(r, known ? requestHeaderVersion(apiKey, apiVersion) : 1);
  return {
    requestApiKey: header.requestApiKey,
    requestApiVersion: header.requestApiVersion,
    correlationId: header.correlationId,
    clientId: header.clientId ?? null,
  };
}

/** Patches the int32 size placeholder at the start of the frame with the length after it. */
function finishFrame(w: Writer): Buffer[] {
  const chunks = w.toChunks();
  let total = 0;
  for (const c of chunks) total += c.length;
  // The first chunk always holds the 4-byte placeholder: referenced buffers flush pending bytes first.
  chunks[0]!.writeInt32BE(total - 4, 0);
  return chunks;
}

/** A complete request frame (size prefix, header, body) as chunks for `socket.write`/`writev`. */
export function encodeRequestFrame<Req>(
  api: ApiSpec<Req, any>, version: number, correlationId: number, clientId: string | null, body: Req,
): Buffer[] {
  const w = new Writer();
  w.int32(0);
  encodeRequestHeader(w, requestHeaderVersion(api.apiKey, version), {
    requestApiKey: api.apiKey, requestApiVersion: version, correlationId, clientId,
  });
  api.encodeRequest(w, version, body);
  return finishFrame(w);
}

/** A complete response frame (size prefix, header, body) as chunks. */
export function encodeResponseFrame<Res>(
  api: ApiSpec<any, Res>, version: number, correlationId: number, body: Res,
): Buffer[] {
  const w = new Writer();
  w.int32(0);
  w.int32(correlationId);
  if (responseHeaderVersion(api.apiKey, version) >= 1) w.uint8(0);
  api.encodeResponse(w, version, body);
  return finishFrame(w);
}

/** Reads a response header (after the size prefix); the caller knows the request's key and version. */
export function decodeResponseHeader(r: Reader, apiKey: number, apiVersion: number): { correlationId: number } {
  const correlationId = r.int32();
  if (responseHeaderVersion(apiKey, apiVersion) >= 1) skipTaggedFields(r);
  return { correlationId };
}

/**
 * The reply to ApiVersions at a version the broker does not know: v0 layout, header v0,
 * UNSUPPORTED_VERSION and the supported ranges, so the client can retry at a version it shares.
 */
export function encodeApiVersionsUnsupportedResponse(correlationId: number, apiKeys: readonly ApiVersionRange[]): Buffer[] {
  const w = new Writer();
  w.int32(0);
  w.int32(correlationId);
  encodeApiVersionsResponse(w, 0, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion })),
  });
  return finishFrame(w);
}
