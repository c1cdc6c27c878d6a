import { StorageError } from '../errors.ts';

/** Per-partition log settings, named after Kafka's topic configs (segment.bytes -> segmentBytes, ...). */
export interface LogConfig {
  /** Roll the active segment before it would exceed this size. Kafka `segment.bytes`. */
  segmentBytes: number;
  /** Roll the active segment once it is older than this. Kafka `segment.ms`. */
  segmentMs: number;
  /** Bytes of log between two sparse offset-index entries. Kafka `index.interval.bytes`. */
  indexIntervalBytes: number;
  /** Max size of one segment's offset index; the segment rolls when it is full. Kafka `segment.index.bytes`. */
  segmentIndexBytes: number;
  /** Delete closed segments whose largest timestamp is older than this; -1 = off. Kafka `retention.ms`. */
  retentionMs: number;
  /** Delete oldest closed segments while the log is bigger than this; -1 = off. Kafka `retention.bytes`. */
  retentionBytes: number;
  /** fdatasync after this many messages. Kafka `flush.messages`. */
  flushMessages: number;
  /** fdatasync when the last flush is older than this. Kafka `flush.ms`. */
  flushMs: number;
  /** Delay before a deleted segment's files are removed. Kafka `file.delete.delay.ms`. Default 0. */
  fileDeleteDelayMs?: number;
}

const MiB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

export const defaultLogConfig: Readonly<Required<LogConfig>> = Object.freeze({
  segmentBytes: 1024 * MiB,
  segmentMs: 7 * DAY_MS,
  indexIntervalBytes: 4096,
  segmentIndexBytes: 10 * MiB,
  retentionMs: 7 * DAY_MS,
  retentionBytes: -1,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  fileDeleteDelayMs: 0,
});

/** Kafka's minimum `segment.bytes`; an empty segment always takes one append whatever its size. */
const segmentBytesMin = 14;
/** Positions are stored as int32 in the offset index. */
const segmentBytesMax = 2 ** 31 - 1;

export function resolveLogConfig(overrides: Partial<LogConfig> = {}): Required<LogConfig> {
  const config: Required<LogConfig> = { ...defaultLogConfig };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in defaultLogConfig)) throw new StorageError('INVALID_CONFIG', `unknown log config ${key}`);
    (config as unknown as Record<string, number>)[key] = value as number;
  }
  validateLogConfig(config);
  return config;
}

function validateLogConfig(c: Required<LogConfig>): void {
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new StorageError('INVALID_CONFIG', what);
  };
  for (const [key, value] of Object.entries(c)) check(Number.isFinite(value), `${key} must be a finite number`);
  check(c.segmentBytes >= segmentBytesMin && c.segmentBytes <= segmentBytesMax, `segmentBytes out of range: ${c.segmentBytes}`);
  check(c.segmentMs > 0, 'segmentMs must be > 0');
  check(c.indexIntervalBytes >= 0, 'indexIntervalBytes must be >= 0');
  check(c.segmentIndexBytes >= 4, 'segmentIndexBytes must be >= 4');
  check(c.retentionMs >= -1, 'retentionMs must be >= -1');
  check(c.retentionBytes >= -1, 'retentionBytes must be >= -1');
  check(c.flushMessages >= 1, 'flushMessages must be >= 1');
  check(c.flushMs >= 0, 'flushMs must be >= 0');
  check(c.fileDeleteDelayMs >= 0, 'fileDeleteDelayMs must be >= 0');
}
