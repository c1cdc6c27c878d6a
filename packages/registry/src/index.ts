export { startRegistry, type Registry, type RegistryOptions } from './registry.ts';
export { RegistryError } from './server/errors.ts';
export * from './schema/index.ts';
