/**
 * ApiVersions (key 18), versions 0-4.
 * Answers with every registered handler's range (the registry is the only source). A version above
 * 4 never reaches this handler: the dispatcher answers it with a v0-layout UNSUPPORTED_VERSION reply.
 * The response header is always v0 (frame.ts). ClientSoftwareName/Version (v3+) are accepted as
 * they come, without Kafka's regex check (which would only cost clients a fallback).
 * Not implemented: SupportedFeatures / FinalizedFeatures (empty; no feature flags yet), throttling.
 */
import { ApiVersionsApi, type ApiVersionsRequest, type ApiVersionsResponse } from '@tributary/protocol/generated/index.ts';
import { ErrorCode } from '../error-codes.ts';
import { defineHandler } from './registry.ts';

export const apiVersionsHandler = defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  api: ApiVersionsApi,
  minVersion: 0,
  maxVersion: 4,
  handle(ctx) {
    return { errorCode: ErrorCode.NONE, apiKeys: ctx.broker.registry.ranges(), throttleTimeMs: 0 };
  },
  errorResponse(_request, _version, errorCode) {
    return { errorCode, apiKeys: [], throttleTimeMs: 0 };
  },
});
