export { type Clock, type TimerHandle, systemClock, ManualClock } from './clock.ts';
export { StorageError, type StorageErrorCode } from './errors.ts';
export { type LogConfig, defaultLogConfig, resolveLogConfig } from './log/config.ts';
export {
  PartitionLog,
  type AppendResult,
  type ReadOptions,
  type ReadResult,
  type RetentionResult,
  type TimestampOffset,
} from './log/partition-log.ts';
export { type EpochEntry, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './log/leader-epoch-cache.ts';
export type { ReadBufferAllocator } from './log/batch-scan.ts';
export { LogManager, parseLogDirName, type LogManagerOptions, type LogDirDescription } from './log-manager.ts';
