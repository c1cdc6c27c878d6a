export * from './wire/index.ts';
export type { ApiSpec } from './api-spec.ts';
export * from './records/index.ts';
