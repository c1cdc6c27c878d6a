export * from './wire/index.ts';
export type { ApiSpec } from './api-spec.ts';
export * from './records/index.ts';
export * from './generated/index.ts';
export * from './frame.ts';
// frame.ts's header codecs pick the header version themselves; they take precedence over the
// generated per-version ones of the same name (still reachable via generated/request-header.ts).
export { decodeRequestHeader, decodeResponseHeader, type RequestHeader } from './frame.ts';
export * from './errors.ts';
export { ZERO_UUID, EMPTY_BYTES } from './codec-support.ts';
