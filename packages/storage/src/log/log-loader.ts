import fs from 'node:fs';
import path from 'node:path';
import { StorageError } from '../errors.ts';
import type { LogConfig } from './config.ts';
import { readOffsetCheckpoint } from './checkpoint.ts';
import { DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, Segment, TIME_INDEX_SUFFIX, segmentFileName } from './segment.ts';

/**
 * Startup of one partition directory: removes leftovers, opens segments and recovers those that
 * may hold unflushed data after an unclean shutdown (Kafka's LogLoader).
 */
export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';

export interface LoadResult {
  segments: Segment[];
  /** The checkpointed log start offset, or null if none was written. */
  checkpointedLogStartOffset: number | null;
  hadCleanShutdown: boolean;
  /** Segments CRC-scanned (recovery, or index rebuild). */
  recoveredSegments: number;
  /** Bytes cut from torn or corrupt tails, including whole segments dropped after them. */
  truncatedBytes: number;
  /** Epoch runs seen in the batches of the recovered segments, oldest first (see Segment.recoveredEpochStarts). */
  recoveredEpochStarts: { epoch: number; startOffset: number }[];
}

const SEGMENT_NAME = /^(\d{20})\.log$/;

function removeLeftovers(dir: string, names: string[]): void {
  for (const name of names) {
    if (name.endsWith(DELETED_SUFFIX) || name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
  }
}

/** Base offsets of the `.log` files, sorted; orphan index files are removed. */
function listSegments(dir: string, names: string[]): number[] {
  const bases = new Set<number>();
  for (const name of names) {
    const m = SEGMENT_NAME.exec(name);
    if (m) bases.add(Number(m[1]));
  }
  for (const name of names) {
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      if (!name.endsWith(suffix)) continue;
      const base = Number(name.slice(0, -suffix.length));
      if (!bases.has(base)) fs.rmSync(path.join(dir, name), { force: true });
    }
  }
  return [...bases].sort((a, b) => a - b);
}

export function loadSegments(dir: string, config: Required<LogConfig>, nowMs: number): LoadResult {
  fs.mkdirSync(dir, { recursive: true });
  let names = fs.readdirSync(dir);
  removeLeftovers(dir, names);
  names = fs.readdirSync(dir);
  const hadCleanShutdown = names.includes(CLEAN_SHUTDOWN_FILE);
  const recoveryPoint = hadCleanShutdown ? Number.MAX_SAFE_INTEGER : (readOffsetCheckpoint(path.join(dir, RECOVERY_POINT_CHECKPOINT)) ?? 0);
  const bases = listSegments(dir, names);
  const result: LoadResult = {
    segments: [],
    checkpointedLogStartOffset: readOffsetCheckpoint(path.join(dir, LOG_START_OFFSET_CHECKPOINT)),
    hadCleanShutdown,
    recoveredSegments: 0,
    truncatedBytes: 0,
    recoveredEpochStarts: [],
  };
  const opts = { indexIntervalBytes: config.indexIntervalBytes, segmentIndexBytes: config.segmentIndexBytes };
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i]!;
    const nextBase = bases[i + 1] ?? Number.MAX_SAFE_INTEGER;
    const recover = nextBase > recoveryPoint;
    const { segment, truncatedBytes } = Segment.open(dir, base, opts, nowMs, recover);
    const prev = result.segments[result.segments.length - 1];
    if (prev && prev.nextOffset > base) {
      segment.close();
      throw new StorageError('CORRUPT_LOG', `${dir}: segment ${base} overlaps the previous one ending at ${prev.nextOffset}`);
    }
    if (recover) {
      result.recoveredSegments++;
      result.recoveredEpochStarts.push(...segment.recoveredEpochStarts);
      segment.recoveredEpochStarts = [];
    }
    result.segments.push(segment);
    result.truncatedBytes += truncatedBytes;
    if (truncatedBytes > 0) {
      // Everything after a torn batch is unreachable: drop the later segments (Kafka does the same).
      for (const later of bases.slice(i + 1)) result.truncatedBytes += dropSegmentFiles(dir, later);
      break;
    }
  }
  return result;
}

function dropSegmentFiles(dir: string, base: number): number {
  const logPath = path.join(dir, segmentFileName(base, LOG_SUFFIX));
  const size = fs.statSync(logPath).size;
  for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) fs.rmSync(path.join(dir, segmentFileName(base, suffix)), { force: true });
  return size;
}
