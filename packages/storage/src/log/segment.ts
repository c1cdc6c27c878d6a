import fs from 'node:fs';
import path from 'node:path';
import { batchSize, lastOffset, maxTimestamp, partitionLeaderEpoch, baseOffset as readBaseOffset } from '@tributary/protocol';
import { StorageError, invariant } from '../errors.ts';
import { IndexFile } from './index-file.ts';
import {
  LOOKUP_CHUNK_BYTES,
  RECOVERY_CHUNK_BYTES,
  firstRecordAtOrAfter,
  readRange,
  scanBatches,
  type ReadBufferAllocator,
  type ScanResult,
} from './batch-scan.ts';

/**
 * One log segment: `<baseOffset:20>.log` holding v2 batches back to back, a sparse `.index`
 * (relative offset -> position, one entry per `indexIntervalBytes`) and a `.timeindex`
 * (max timestamp so far -> relative offset), as Kafka lays them out.
 */
export interface SegmentOptions {
  indexIntervalBytes: number;
  segmentIndexBytes: number;
}

export interface BatchLocation {
  position: number;
  baseOffset: number;
  lastOffset: number;
  size: number;
}

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';
/** Relative offsets are int32 in the index files. */
export const RELATIVE_OFFSET_MAX = 2 ** 31 - 1;

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

export class Segment {
  readonly baseOffset: number;
  readonly dir: string;
  private opts: SegmentOptions;
  private readonly logFd: number;
  private offsetIndex: IndexFile;
  private timeIndex: IndexFile;
  private size = 0;
  private next: number;
  private maxTs = -1;
  private offsetOfMaxTs = -1;
  private bytesSinceIndexEntry = 0;
  private unsynced = false;
  /** When this process created or opened the segment (ms); time-based rolling falls back to it. */
  readonly createdMs: number;
  /** MaxTimestamp of the first batch, -1 if none: Kafka's `rollingBasedTimestamp`. */
  private firstBatchTs = -1;
  /**
   * Filled by recover(): where each run of batches with one PartitionLeaderEpoch starts, so the
   * log can rebuild leader-epoch entries whose checkpoint write a crash may have lost.
   */
  recoveredEpochStarts: { epoch: number; startOffset: number }[] = [];

  private constructor(dir: string, baseOffset: number, opts: SegmentOptions, logFd: number, index: IndexFile, timeIndex: IndexFile, nowMs: number) {
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.opts = opts;
    this.logFd = logFd;
    this.offsetIndex = index;
    this.timeIndex = timeIndex;
    this.next = baseOffset;
    this.createdMs = nowMs;
  }

  static create(dir: string, baseOffset: number, opts: SegmentOptions, nowMs: number): Segment {
    const fd = fs.openSync(path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), 'w+');
    const index = IndexFile.create(path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX)), 'offset', opts.segmentIndexBytes);
    const timeIndex = IndexFile.create(path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX)), 'time', opts.segmentIndexBytes);
    return new Segment(dir, baseOffset, opts, fd, index, timeIndex, nowMs);
  }

  /**
   * Opens an existing segment. With `recover`, every batch is CRC-checked, a torn or corrupt tail
   * is truncated and the indexes rebuilt; without it, indexes are loaded (rebuilt if unusable).
   */
  static open(dir: string, baseOffset: number, opts: SegmentOptions, nowMs: number, recover: boolean): { segment: Segment; truncatedBytes: number } {
    const logPath = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    let fd: number;
    try {
      fd = fs.openSync(logPath, 'r+');
    } catch (err) {
      throw new StorageError('IO_ERROR', `cannot open ${logPath}`, { cause: err });
    }
    const size = fs.fstatSync(fd).size;
    const indexPath = path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX));
    const timePath = path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX));
    const index = recover ? null : IndexFile.load(indexPath, 'offset', opts.segmentIndexBytes, size);
    const timeIndex = recover ? null : IndexFile.load(timePath, 'time', opts.segmentIndexBytes, size);
    const segment = new Segment(
      dir, baseOffset, opts, fd,
      index ?? IndexFile.create(indexPath, 'offset', opts.segmentIndexBytes),
      timeIndex ?? IndexFile.create(timePath, 'time', opts.segmentIndexBytes),
      nowMs,
    );
    segment.size = size;
    let truncatedBytes = 0;
    if (!index || !timeIndex || !segment.loadTail()) truncatedBytes = segment.recover();
    segment.closeIndexes();
    const first = segment.size > 0 ? readRange(fd, 0, 43) : null;
    if (first && first.length === 43) segment.firstBatchTs = maxTimestamp(first, 0);
    return { segment, truncatedBytes };
  }

  get sizeBytes(): number {
    return this.size;
  }
  /** Offset after the last batch (== baseOffset when empty). */
  get nextOffset(): number {
    return this.next;
  }
  /** Largest batch MaxTimestamp in the segment, -1 if none. */
  get maxTimestamp(): number {
    return this.maxTs;
  }
  /** Base offset of the first batch holding `maxTimestamp`, -1 if none. */
  get offsetOfMaxTimestamp(): number {
    return this.offsetOfMaxTs;
  }
  get indexFull(): boolean {
    return this.offsetIndex.isFull || this.timeIndex.isFull;
  }
  get indexBytes(): number {
    return this.offsetIndex.sizeBytes + this.timeIndex.sizeBytes;
  }
  get hasUnflushedData(): boolean {
    return this.unsynced;
  }
  get fd(): number {
    return this.logFd;
  }

  /**
   * Time waited towards a time-based roll, as Kafka computes it: from the first batch's timestamp
   * to the incoming batch's when both exist, else wall time since the segment was created/opened.
   */
  timeWaitedForRoll(nowMs: number, incomingMaxTs: number): number {
    if (this.firstBatchTs >= 0 && incomingMaxTs >= 0) return incomingMaxTs - this.firstBatchTs;
    return nowMs - this.createdMs;
  }

  updateOptions(opts: SegmentOptions): void {
    this.opts = opts;
  }

  /**
   * Appends validated batches whose offsets are already assigned, with one write call.
   * Offsets must continue past `nextOffset`.
   */
  append(batches: Buffer): void {
    let at = 0;
    while (at < batches.length) {
      const size = batchSize(batches, at);
      const base = readBaseOffset(batches, at);
      const last = lastOffset(batches, at);
      invariant(size > 0 && at + size <= batches.length, `batch at ${at} overruns the append buffer`);
      invariant(base >= this.next && last >= base, `offsets not monotonic: batch ${base}..${last} after next ${this.next}`);
      invariant(last - this.baseOffset <= RELATIVE_OFFSET_MAX, `offset ${last} does not fit segment ${this.baseOffset}`);
      this.indexBatch(this.size + at, size, base, last, maxTimestamp(batches, at), this.offsetIndex, this.timeIndex);
      at += size;
    }
    if (this.size === 0) this.firstBatchTs = maxTimestamp(batches, 0);
    const written = fs.writeSync(this.logFd, batches, 0, batches.length, this.size);
    invariant(written === batches.length, `short write ${written}/${batches.length}`);
    this.size += batches.length;
    this.unsynced = true;
  }

  /** Index bookkeeping for one batch at `position` (also used to rebuild indexes). */
  private indexBatch(position: number, size: number, base: number, last: number, batchMaxTs: number, index: IndexSink, timeIndex: IndexSink): void {
    if (this.bytesSinceIndexEntry > this.opts.indexIntervalBytes) {
      index.append(base - this.baseOffset, position);
      this.maybeAppendTimeEntry(timeIndex);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    if (batchMaxTs > this.maxTs) {
      this.maxTs = batchMaxTs;
      this.offsetOfMaxTs = base;
    }
    this.next = last + 1;
  }

  private maybeAppendTimeEntry(timeIndex: IndexSink): void {
    if (timeIndex.isFull) return; // only reachable from seal(): appends roll before the index fills
    const lastEntry = timeIndex.last();
    if (this.maxTs >= 0 && (!lastEntry || this.maxTs > lastEntry.key)) timeIndex.append(this.maxTs, this.offsetOfMaxTs - this.baseOffset);
  }

  /** Full CRC scan from position 0: truncates at the first bad batch and rebuilds both indexes. */
  recover(): number {
    const offsetEntries = new ArraySink();
    const timeEntries = new ArraySink();
    this.next = this.baseOffset;
    this.maxTs = -1;
    this.offsetOfMaxTs = -1;
    this.bytesSinceIndexEntry = 0;
    const epochStarts: { epoch: number; startOffset: number }[] = [];
    const result = scanBatches(this.logFd, 0, this.size, { verify: true, chunkBytes: RECOVERY_CHUNK_BYTES }, (buf, at, pos, size) => {
      const base = readBaseOffset(buf, at);
      const last = lastOffset(buf, at);
      if (base < this.next || last - this.baseOffset > RELATIVE_OFFSET_MAX) return false;
      this.indexBatch(pos, size, base, last, maxTimestamp(buf, at), offsetEntries, timeEntries);
      const epoch = partitionLeaderEpoch(buf, at);
      if (epoch !== epochStarts[epochStarts.length - 1]?.epoch) epochStarts.push({ epoch, startOffset: base });
      return true;
    });
    this.recoveredEpochStarts = epochStarts;
    const truncated = this.size - result.endPosition;
    if (truncated > 0) {
      fs.ftruncateSync(this.logFd, result.endPosition);
      this.size = result.endPosition;
    }
    this.offsetIndex.rewrite(offsetEntries.entries);
    this.timeIndex.rewrite(timeEntries.entries);
    this.unsynced = true;
    return truncated;
  }

  /** After loading indexes: scans from the last index entry to the end. False if the tail is bad. */
  private loadTail(): boolean {
    const lastEntry = this.offsetIndex.last();
    const from = lastEntry ? lastEntry.value : 0;
    this.next = lastEntry ? this.baseOffset + lastEntry.key : this.baseOffset;
    const lastTime = this.timeIndex.last();
    this.maxTs = lastTime ? lastTime.key : -1;
    this.offsetOfMaxTs = lastTime ? this.baseOffset + lastTime.value : -1;
    const result = this.scanHeaders(from, (buf, at) => {
      const ts = maxTimestamp(buf, at);
      if (ts > this.maxTs) {
        this.maxTs = ts;
        this.offsetOfMaxTs = readBaseOffset(buf, at);
      }
      this.next = lastOffset(buf, at) + 1;
      return true;
    });
    this.bytesSinceIndexEntry = this.size - from;
    return result.stopReason === null;
  }

  private scanHeaders(from: number, visit: (buf: Buffer, at: number, position: number, size: number) => boolean): ScanResult {
    return scanBatches(this.logFd, from, this.size, { verify: false, chunkBytes: LOOKUP_CHUNK_BYTES }, visit);
  }

  /** The first batch whose last offset is >= `offset`, or null if there is none. */
  findBatch(offset: number): BatchLocation | null {
    if (offset >= this.next) return null;
    const entry = this.offsetIndex.floor(offset - this.baseOffset);
    let found: BatchLocation | null = null;
    this.scanHeaders(entry ? entry.value : 0, (buf, at, position, size) => {
      const last = lastOffset(buf, at);
      if (last < offset) return true;
      found = { position, baseOffset: readBaseOffset(buf, at), lastOffset: last, size };
      return false;
    });
    return found;
  }

  /**
   * Whole batches starting with the one holding `startOffset`: at most `maxBytes` unless
   * `minOneBatch` lets the first batch through whole; nothing at or beyond `maxOffset`.
   */
  read(startOffset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean, alloc?: ReadBufferAllocator): Buffer {
    const first = this.findBatch(startOffset);
    if (!first || first.lastOffset >= maxOffset) return Buffer.alloc(0);
    let limit = this.size;
    if (maxOffset < this.next) limit = this.findBatch(maxOffset)?.position ?? this.size;
    let want = Math.min(limit - first.position, maxBytes);
    if (want < first.size) {
      if (!minOneBatch) return Buffer.alloc(0);
      want = first.size;
    }
    const buf = readRange(this.logFd, first.position, want, alloc);
    let end = 0;
    while (end + 12 <= buf.length) {
      const size = batchSize(buf, end);
      if (size <= 0 || end + size > buf.length) break;
      end += size;
    }
    invariant(end > 0, `read at ${first.position} in segment ${this.baseOffset} returned no whole batch`);
    return buf.subarray(0, end);
  }

  /** First record with timestamp >= `timestampMs`, or null when every batch is older. */
  findTimestamp(timestampMs: number): { offset: number; timestamp: number } | null {
    if (this.maxTs < timestampMs) return null;
    const entry = this.timeIndex.floor(timestampMs, true);
    const fromOffset = entry ? this.baseOffset + entry.value : this.baseOffset;
    const start = this.findBatch(fromOffset);
    if (!start) return null;
    let found: BatchLocation | null = null;
    this.scanHeaders(start.position, (buf, at, position, size) => {
      if (maxTimestamp(buf, at) < timestampMs) return true;
      found = { position, baseOffset: readBaseOffset(buf, at), lastOffset: lastOffset(buf, at), size };
      return false;
    });
    if (!found) return null;
    const loc: BatchLocation = found;
    return firstRecordAtOrAfter(readRange(this.logFd, loc.position, loc.size), 0, timestampMs);
  }

  /** The batch at the segment's max timestamp, refined to its first record at that timestamp. */
  maxTimestampRecord(): { offset: number; timestamp: number } | null {
    if (this.offsetOfMaxTs < 0) return null;
    const loc = this.findBatch(this.offsetOfMaxTs);
    if (!loc) return null;
    return firstRecordAtOrAfter(readRange(this.logFd, loc.position, loc.size), 0, this.maxTs);
  }

  /** Drops the batch holding `offset` and everything after it. Returns bytes removed. */
  truncateTo(offset: number): number {
    const loc = this.findBatch(offset);
    if (!loc) return 0;
    const removed = this.size - loc.position;
    fs.ftruncateSync(this.logFd, loc.position);
    this.size = loc.position;
    this.offsetIndex.truncateToEntries(this.offsetIndex.countValuesBelow(loc.position));
    this.timeIndex.truncateToEntries(this.timeIndex.countValuesBelow(loc.baseOffset - this.baseOffset));
    invariant(this.loadTail(), `segment ${this.baseOffset} unreadable after truncation`);
    this.unsynced = true;
    return removed;
  }

  /**
   * fdatasync the log data. Index files of the active segment are not synced: after a crash the
   * active segment is always recovered and its indexes rebuilt; seal() and close() sync them.
   */
  flush(): void {
    if (this.unsynced) fs.fdatasyncSync(this.logFd);
    this.unsynced = false;
  }

  /** The segment stops being active: final time-index entry, indexes synced and closed. */
  seal(): void {
    this.maybeAppendTimeEntry(this.timeIndex);
    this.offsetIndex.sync();
    this.timeIndex.sync();
    this.closeIndexes();
  }

  /** Marks the log data synced (after an asynchronous fdatasync of `fd`). */
  markFlushed(): void {
    this.unsynced = false;
  }

  private closeIndexes(): void {
    this.offsetIndex.close();
    this.timeIndex.close();
  }

  close(): void {
    this.offsetIndex.sync();
    this.timeIndex.sync();
    this.closeIndexes();
    fs.closeSync(this.logFd);
  }

  /** Closes and renames the files to `*.deleted`; returns their new paths for later removal. */
  markDeleted(): string[] {
    this.close();
    const paths: string[] = [];
    for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      const from = path.join(this.dir, segmentFileName(this.baseOffset, suffix));
      const to = from + DELETED_SUFFIX;
      try {
        fs.renameSync(from, to);
        paths.push(to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new StorageError('IO_ERROR', `cannot delete ${from}`, { cause: err });
      }
    }
    return paths;
  }
}

interface IndexSink {
  readonly isFull: boolean;
  append(key: number, value: number): void;
  last(): { key: number; value: number } | null;
}

class ArraySink implements IndexSink {
  readonly entries: { key: number; value: number }[] = [];
  readonly isFull = false;
  append(key: number, value: number): void {
    this.entries.push({ key, value });
  }
  last(): { key: number; value: number } | null {
    return this.entries[this.entries.length - 1] ?? null;
  }
}
