import fs from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import { StorageError } from './errors.ts';
import type { LogConfig } from './log/config.ts';
import { PartitionLog } from './log/partition-log.ts';

/**
 * Owns the partition logs of one broker across its log dirs (`log.dirs`): placement of new
 * partitions, startup loading, and the periodic retention and flush tasks on the injected clock.
 */
export interface LogManagerOptions {
  logDirs: string[];
  /** Config for logs whose caller gives none (also used by `loadAll` without a resolver). */
  defaultConfig?: Partial<LogConfig>;
  clock?: Clock;
  /** Kafka `log.retention.check.interval.ms`. */
  retentionCheckIntervalMs?: number;
  /** Kafka `log.flush.scheduler.interval.ms` (how often flush.ms is checked). */
  flushCheckIntervalMs?: number;
}

export interface LogDirDescription {
  path: string;
  /** Size of the volume holding the dir (KIP-827 TotalBytes). */
  totalBytes: number;
  /** Free space usable by the broker on that volume (KIP-827 UsableBytes). */
  usableBytes?: number;
  partitions: { topic: string; partition: number; sizeBytes: number; offsetLag: number }[];
}

const RETENTION_CHECK_INTERVAL_MS = 5 * 60 * 1000;
const FLUSH_CHECK_INTERVAL_MS = 1000;
/** Directories Kafka renames for async deletion or future replicas; never loaded as logs. */
const IGNORED_DIR = /(-delete|-future|-stray)$/;

/** `<topic>-<partition>`: the topic may itself contain '-' and '.', so split at the last '-'. */
export function parseLogDirName(name: string): { topic: string; partition: number } | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0 || IGNORED_DIR.test(name)) return null;
  const partText = name.slice(dash + 1);
  if (!/^\d+$/.test(partText)) return null;
  return { topic: name.slice(0, dash), partition: Number(partText) };
}

function key(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export class LogManager {
  private readonly logDirs: string[];
  private readonly clock: Clock;
  private readonly defaultConfig: Partial<LogConfig>;
  private readonly logs = new Map<string, PartitionLog>();
  private readonly retentionCheckIntervalMs: number;
  private readonly flushCheckIntervalMs: number;
  private timers: TimerHandle[] = [];

  constructor(opts: LogManagerOptions) {
    if (opts.logDirs.length === 0) throw new StorageError('INVALID_CONFIG', 'at least one log dir is required');
    this.logDirs = opts.logDirs.map((d) => path.resolve(d));
    this.clock = opts.clock ?? systemClock;
    this.defaultConfig = opts.defaultConfig ?? {};
    this.retentionCheckIntervalMs = opts.retentionCheckIntervalMs ?? RETENTION_CHECK_INTERVAL_MS;
    this.flushCheckIntervalMs = opts.flushCheckIntervalMs ?? FLUSH_CHECK_INTERVAL_MS;
    for (const d of this.logDirs) fs.mkdirSync(d, { recursive: true });
  }

  /** Opens every `<topic>-<partition>` directory found in the log dirs. */
  loadAll(configFor?: (topic: string, partition: number) => Partial<LogConfig>): PartitionLog[] {
    const loaded: PartitionLog[] = [];
    for (const dir of this.logDirs) {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const parsed = parseLogDirName(entry.name);
        if (!parsed) continue;
        const k = key(parsed.topic, parsed.partition);
        const existing = this.logs.get(k);
        if (existing) {
          if (existing.dir !== path.join(dir, entry.name)) throw new StorageError('CORRUPT_LOG', `${k} exists in two log dirs`);
          continue;
        }
        const config = configFor ? configFor(parsed.topic, parsed.partition) : this.defaultConfig;
        const log = PartitionLog.open(path.join(dir, entry.name), config, this.clock);
        this.logs.set(k, log);
        loaded.push(log);
      }
    }
    return loaded;
  }

  /** The partition's log, created in the log dir holding the fewest partitions if it does not exist. */
  open(topic: string, partition: number, config?: Partial<LogConfig>): PartitionLog {
    const k = key(topic, partition);
    const existing = this.logs.get(k);
    if (existing) {
      if (config) existing.updateConfig(config);
      return existing;
    }
    if (!topic || topic === '.' || topic === '..' || topic.includes('/') || !Number.isInteger(partition) || partition < 0) {
      throw new StorageError('INVALID_CONFIG', `invalid topic partition ${k}`);
    }
    const dir = this.logDirs.find((d) => fs.existsSync(path.join(d, k))) ?? this.leastLoadedDir();
    const log = PartitionLog.open(path.join(dir, k), config ?? this.defaultConfig, this.clock);
    this.logs.set(k, log);
    return log;
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(key(topic, partition));
  }

  all(): PartitionLog[] {
    return [...this.logs.values()];
  }

  /** Removes the partition's log and its directory. */
  delete(topic: string, partition: number): boolean {
    const k = key(topic, partition);
    const log = this.logs.get(k);
    if (!log) return false;
    this.logs.delete(k);
    log.delete();
    return true;
  }

  /** Starts periodic retention and flush.ms checks on the clock. */
  start(): void {
    if (this.timers.length > 0) return;
    this.timers.push(this.clock.setInterval(() => this.enforceRetention(), this.retentionCheckIntervalMs));
    this.timers.push(this.clock.setInterval(() => this.flushDue(), this.flushCheckIntervalMs));
  }

  stop(): void {
    for (const t of this.timers) this.clock.clearInterval(t);
    this.timers = [];
  }

  /** One retention pass over every log; returns totals. */
  enforceRetention(): { deletedSegments: number; deletedBytes: number } {
    const now = this.clock.now();
    const total = { deletedSegments: 0, deletedBytes: 0 };
    for (const log of this.logs.values()) {
      const r = log.enforceRetention(now);
      total.deletedSegments += r.deletedSegments;
      total.deletedBytes += r.deletedBytes;
    }
    return total;
  }

  /** Flushes the logs whose flush.ms has passed; returns how many flushed. */
  flushDue(): number {
    const now = this.clock.now();
    let flushed = 0;
    for (const log of this.logs.values()) if (log.maybeFlush(now)) flushed++;
    return flushed;
  }

  /** DescribeLogDirs. */
  dirs(): LogDirDescription[] {
    return this.logDirs.map((dir) => {
      const description: LogDirDescription = { path: dir, totalBytes: 0, partitions: [] };
      try {
        const st = fs.statfsSync(dir);
        description.totalBytes = st.blocks * st.bsize;
        description.usableBytes = st.bavail * st.bsize;
      } catch {
        // statfs unsupported: leave the volume sizes unknown.
      }
      for (const log of this.logs.values()) {
        if (path.dirname(log.dir) !== dir) continue;
        description.partitions.push({ topic: log.topic, partition: log.partition, sizeBytes: log.sizeBytes, offsetLag: 0 });
      }
      return description;
    });
  }

  /** Stops the timers and closes every log cleanly. */
  close(): void {
    this.stop();
    for (const log of this.logs.values()) log.close();
    this.logs.clear();
  }

  private leastLoadedDir(): string {
    const counts = new Map(this.logDirs.map((d) => [d, 0]));
    for (const log of this.logs.values()) {
      const parent = path.dirname(log.dir);
      counts.set(parent, (counts.get(parent) ?? 0) + 1);
    }
    let best = this.logDirs[0]!;
    for (const d of this.logDirs) if (counts.get(d)! < counts.get(best)!) best = d;
    return best;
  }
}
