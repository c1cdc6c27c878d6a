export { Partition } from './partition.ts';
export { ReplicaManager } from './replica-manager.ts';
export * from './topic-manager.ts';
