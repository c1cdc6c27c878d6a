export * from './types.ts';
export { randomKafkaUuid, type RandomBytes } from './ids.ts';
export { LocalMetadataStore, type PersistedMetadata, type PersistedTopic, type LocalStoreOptions } from './local-store.ts';
export { InMemoryMetadataStore } from './in-memory-store.ts';
export { EmbeddedMetadataStore, METADATA_FILE_NAME } from './embedded-store.ts';
export { ZooKeeperMetadataStore, type ZooKeeperStoreOptions } from './zookeeper-store.ts';
