export * from './batch-header.ts';
