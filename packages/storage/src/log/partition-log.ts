import fs from 'node:fs';
import path from 'node:path';
import {
  BATCH,
  baseOffset as readBaseOffset,
  batchSize,
  lastOffset as readLastOffset,
  lastOffsetDelta,
  magic,
  maxTimestamp,
  partitionLeaderEpoch,
  recordCount,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
} from '@tributary/protocol';
import { systemClock, type Clock, type TimerHandle } from '../clock.ts';
import { StorageError, invariant } from '../errors.ts';
import type { ReadBufferAllocator } from './batch-scan.ts';
import { writeOffsetCheckpoint } from './checkpoint.ts';
import { resolveLogConfig, type LogConfig } from './config.ts';
import { LeaderEpochCache, type EpochEntry } from './leader-epoch-cache.ts';
import { CLEAN_SHUTDOWN_FILE, LOG_START_OFFSET_CHECKPOINT, RECOVERY_POINT_CHECKPOINT, loadSegments } from './log-loader.ts';
import { RELATIVE_OFFSET_MAX, Segment } from './segment.ts';

/**
 * The log of one partition replica: a directory of segments plus checkpoints (log start offset,
 * recovery point, leader epochs). Records stay bytes: v2 batches are patched in place and stored
 * as given. All calls are synchronous; only the flush of a rolled segment runs in the background.
 */
export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The LogAppendTime stamped on the batches, or -1 when they keep CreateTime. */
  logAppendTimeMs: number;
  maxTimestamp: number;
  bytes: number;
}

export interface ReadOptions {
  maxBytes: number;
  /** Exclusive upper bound (e.g. the high watermark); no batch reaching it is returned. */
  maxOffset?: number;
  /** KIP-74: return the first batch whole even if it is bigger than maxBytes. */
  minOneBatch: boolean;
  /** Where the bytes are read into (default: a fresh buffer); the result is a subarray of it. */
  alloc?: ReadBufferAllocator;
}

export interface ReadResult {
  /** Whole batches; the first may start before the requested offset. */
  records: Buffer;
}

export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
}

export interface TimestampOffset {
  offset: number;
  timestamp: number;
}

interface Framing {
  count: number;
  records: number;
}

export class PartitionLog {
  readonly dir: string;
  /** Parsed from the directory name `<topic>-<partition>`; '' and -1 when it does not match. */
  readonly topic: string;
  readonly partition: number;
  private cfg: Required<LogConfig>;
  private readonly clock: Clock;
  private segments: Segment[];
  private startOffset = 0;
  private recoveryPoint = 0;
  private readonly epochs: LeaderEpochCache;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  private closed = false;
  private readonly deleteTimers = new Set<TimerHandle>();
  /** What the last open found; useful to operators and tests. */
  readonly loadStats: { hadCleanShutdown: boolean; recoveredSegments: number; truncatedBytes: number };

  private constructor(dir: string, cfg: Required<LogConfig>, clock: Clock) {
    this.dir = dir;
    const name = path.basename(dir);
    const dash = name.lastIndexOf('-');
    const partition = dash > 0 ? Number(name.slice(dash + 1)) : NaN;
    this.topic = Number.isInteger(partition) && partition >= 0 ? name.slice(0, dash) : '';
    this.partition = this.topic ? partition : -1;
    this.cfg = cfg;
    this.clock = clock;
    this.lastFlushMs = clock.now();
    const loaded = loadSegments(dir, cfg, clock.now());
    this.segments = loaded.segments;
    this.loadStats = { hadCleanShutdown: loaded.hadCleanShutdown, recoveredSegments: loaded.recoveredSegments, truncatedBytes: loaded.truncatedBytes };
    if (this.segments.length === 0) this.segments.push(Segment.create(dir, loaded.checkpointedLogStartOffset ?? 0, this.segmentOptions(), clock.now()));
    this.epochs = LeaderEpochCache.load(dir);
    const start = Math.max(loaded.checkpointedLogStartOffset ?? 0, this.segments[0]!.baseOffset);
    if (start > this.logEndOffset) this.truncateFullyAndStartAt(start);
    this.startOffset = start;
    this.epochs.truncateFromEnd(this.logEndOffset);
    this.rebuildEpochs(loaded.recoveredEpochStarts);
    this.epochs.truncateFromStart(this.startOffset);
    if (!loaded.hadCleanShutdown) for (const s of this.segments) s.flush();
    this.epochs.flush();
    this.recoveryPoint = this.logEndOffset;
    writeOffsetCheckpoint(this.file(RECOVERY_POINT_CHECKPOINT), this.recoveryPoint, false);
    fs.rmSync(this.file(CLEAN_SHUTDOWN_FILE), { force: true });
  }

  /**
   * Epoch checkpoint writes are asynchronous, so a crash can lose the newest entries; their
   * batches (in the recovered segments, which cover everything past the recovery point) still
   * carry the epoch. Entries below the recovery point were flushed before it advanced.
   */
  private rebuildEpochs(starts: readonly { epoch: number; startOffset: number }[]): void {
    for (const { epoch, startOffset } of starts) {
      const latest = this.epochs.all().at(-1);
      if (epoch < 0 || startOffset >= this.logEndOffset) continue;
      if (latest && (epoch <= latest.epoch || startOffset < latest.startOffset)) continue;
      this.epochs.assign(epoch, startOffset);
    }
  }

  /** Opens (creating if needed) the partition directory `dir`, recovering after an unclean shutdown. */
  static open(dir: string, config: Partial<LogConfig> = {}, clock: Clock = systemClock): PartitionLog {
    return new PartitionLog(dir, resolveLogConfig(config), clock);
  }

  get config(): Readonly<Required<LogConfig>> {
    return this.cfg;
  }
  get logStartOffset(): number {
    return this.startOffset;
  }
  get logEndOffset(): number {
    return this.active.nextOffset;
  }
  /** Every offset below this is on disk (fdatasync'ed). */
  get flushedOffset(): number {
    return this.recoveryPoint;
  }
  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.sizeBytes;
    return total;
  }
  get segmentCount(): number {
    return this.segments.length;
  }
  /** Base offsets of the segments, oldest first. */
  get segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }
  get latestEpoch(): number {
    return this.epochs.latestEpoch;
  }
  get leaderEpochEntries(): readonly EpochEntry[] {
    return this.epochs.all();
  }
  get isClosed(): boolean {
    return this.closed;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  updateConfig(config: Partial<LogConfig>): void {
    this.cfg = resolveLogConfig({ ...this.cfg, ...config });
    for (const s of this.segments) s.updateOptions(this.segmentOptions());
  }

  /**
   * Assigns offsets from the log end offset and the leader epoch in place (plus LogAppendTime if
   * given, which rewrites the CRC), then appends. `batches` holds validated v2 batches back to back.
   */
  appendAsLeader(batches: Buffer, leaderEpoch: number, opts: { logAppendTimeMs?: number } = {}): AppendResult {
    this.ensureOpen();
    const framing = checkFraming(batches);
    if (leaderEpoch < this.epochs.latestEpoch) {
      throw new StorageError('STALE_LEADER_EPOCH', `append with epoch ${leaderEpoch} below latest ${this.epochs.latestEpoch}`);
    }
    const first = this.logEndOffset;
    const appendTime = opts.logAppendTimeMs;
    let next = first;
    let maxTs = -1;
    for (let at = 0; at < batches.length; at += batchSize(batches, at)) {
      setBaseOffset(batches, at, next);
      setPartitionLeaderEpoch(batches, at, leaderEpoch);
      if (appendTime !== undefined) setLogAppendTime(batches, at, appendTime);
      maxTs = Math.max(maxTs, maxTimestamp(batches, at));
      next += lastOffsetDelta(batches, at) + 1;
    }
    this.epochs.assign(leaderEpoch, first);
    this.appendToSegment(batches, first, next - 1, framing.records);
    return { baseOffset: first, lastOffset: next - 1, logAppendTimeMs: appendTime ?? -1, maxTimestamp: maxTs, bytes: batches.length };
  }

  /**
   * This replica became leader for `epoch` (Kafka's maybeAssignEpochStartOffset in makeLeader): the
   * epoch starts at the log end offset. Recording it here, when leadership starts, keeps the epoch
   * checkpoint write off the produce path; a no-op unless the epoch is newer than the latest.
   */
  assignLeaderEpoch(epoch: number): void {
    if (this.closed) return; // leadership of a closed (deleted, shut down) log means nothing
    this.epochs.assign(epoch, this.logEndOffset);
  }

  /** Appends replicated batches keeping their offsets, which must continue from the log end offset. */
  appendAsFollower(batches: Buffer): AppendResult {
    this.ensureOpen();
    const framing = checkFraming(batches);
    const first = readBaseOffset(batches, 0);
    if (first < this.logEndOffset) {
      throw new StorageError('UNEXPECTED_APPEND_OFFSET', `follower append at ${first} below log end offset ${this.logEndOffset}`);
    }
    let expected = first;
    let maxTs = -1;
    let last = first;
    for (let at = 0; at < batches.length; at += batchSize(batches, at)) {
      const base = readBaseOffset(batches, at);
      if (base < expected) throw new StorageError('UNEXPECTED_APPEND_OFFSET', `batch at ${base} after offset ${expected - 1}`);
      this.epochs.assign(partitionLeaderEpoch(batches, at), base);
      last = readLastOffset(batches, at);
      expected = last + 1;
      maxTs = Math.max(maxTs, maxTimestamp(batches, at));
    }
    this.appendToSegment(batches, first, last, framing.records);
    return { baseOffset: first, lastOffset: last, logAppendTimeMs: -1, maxTimestamp: maxTs, bytes: batches.length };
  }

  private appendToSegment(batches: Buffer, firstOffset: number, lastOffset: number, records: number): void {
    const now = this.clock.now();
    this.maybeRoll(batches.length, firstOffset, lastOffset, maxTimestamp(batches, 0), now);
    this.active.append(batches);
    this.unflushedMessages += records;
    if (this.unflushedMessages >= this.cfg.flushMessages || now - this.lastFlushMs >= this.cfg.flushMs) this.flush();
  }

  private maybeRoll(bytes: number, firstOffset: number, lastOffset: number, incomingMaxTs: number, now: number): void {
    const seg = this.active;
    if (seg.sizeBytes === 0) return;
    const full = seg.sizeBytes + bytes > this.cfg.segmentBytes;
    const old = seg.timeWaitedForRoll(now, incomingMaxTs) > this.cfg.segmentMs;
    const offsetsOverflow = lastOffset - seg.baseOffset > RELATIVE_OFFSET_MAX;
    if (full || old || offsetsOverflow || seg.indexFull) this.roll(firstOffset, now);
  }

  /** Seals the active segment and starts a new one at `baseOffset`; the old one is synced in the background. */
  private roll(baseOffset: number, now: number): void {
    const old = this.active;
    invariant(baseOffset >= old.nextOffset, `roll to ${baseOffset} below log end offset ${old.nextOffset}`);
    old.seal();
    const created = Segment.create(this.dir, baseOffset, this.segmentOptions(), now);
    this.segments.push(created);
    fs.fdatasync(old.fd, (err) => {
      if (err || this.closed || !this.segments.includes(old) || old === this.active) return;
      old.markFlushed();
      try {
        this.advanceRecoveryPoint();
      } catch {
        // The recovery point only shortens recovery; the next flush or open writes it again.
      }
    });
  }

  /** The recovery point moves up to the first segment that still holds unsynced data. */
  private advanceRecoveryPoint(): void {
    // Recovery rebuilds epochs only past the recovery point: the checkpoint must cover the rest.
    this.epochs.flush();
    const dirty = this.segments.find((s) => s.hasUnflushedData);
    const point = dirty ? dirty.baseOffset : this.logEndOffset;
    if (point <= this.recoveryPoint) return;
    // The file only decides which segments a crash recovery scans (the active one always is), so
    // it is rewritten only when the point enters a later segment, not on every flush.
    const enteredNewSegment = this.segmentIndexFor(point) !== this.segmentIndexFor(this.recoveryPoint);
    this.recoveryPoint = point;
    if (enteredNewSegment) writeOffsetCheckpoint(this.file(RECOVERY_POINT_CHECKPOINT), point, false);
  }

  /** fdatasync every segment with unsynced data, then advance the recovery point. */
  flush(): void {
    this.ensureOpen();
    for (const s of this.segments) if (s.hasUnflushedData) s.flush();
    this.unflushedMessages = 0;
    this.lastFlushMs = this.clock.now();
    this.advanceRecoveryPoint();
  }

  /** Periodic flush.ms check; returns whether it flushed. */
  maybeFlush(now: number): boolean {
    if (this.closed || this.unflushedMessages === 0 || now - this.lastFlushMs < this.cfg.flushMs) return false;
    this.flush();
    return true;
  }

  read(startOffset: number, opts: ReadOptions): ReadResult {
    this.ensureOpen();
    const end = this.logEndOffset;
    if (startOffset < this.startOffset || startOffset > end) {
      throw new StorageError('OFFSET_OUT_OF_RANGE', `offset ${startOffset} outside [${this.startOffset}, ${end}] in ${this.dir}`);
    }
    const maxOffset = Math.min(opts.maxOffset ?? end, end);
    if (startOffset >= maxOffset) return { records: Buffer.alloc(0) };
    for (let i = this.segmentIndexFor(startOffset); i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      if (startOffset >= seg.nextOffset) continue;
      return { records: seg.read(startOffset, Math.max(0, opts.maxBytes), maxOffset, opts.minOneBatch, opts.alloc) };
    }
    return { records: Buffer.alloc(0) };
  }

  /** ListOffsets by timestamp: the first offset whose record timestamp is >= `timestampMs`. */
  offsetForTimestamp(timestampMs: number): TimestampOffset | null {
    this.ensureOpen();
    for (const seg of this.segments) {
      if (seg.nextOffset <= this.startOffset) continue;
      const found = seg.findTimestamp(timestampMs);
      if (found) return { offset: Math.max(found.offset, this.startOffset), timestamp: found.timestamp };
    }
    return null;
  }

  /** ListOffsets MAX_TIMESTAMP (KIP-734); { -1, -1 } on an empty log. */
  maxTimestampOffset(): TimestampOffset {
    this.ensureOpen();
    let best: Segment | null = null;
    for (const seg of this.segments) if (seg.maxTimestamp >= 0 && (!best || seg.maxTimestamp > best.maxTimestamp)) best = seg;
    return best?.maxTimestampRecord() ?? { offset: -1, timestamp: -1 };
  }

  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  /** DeleteRecords: moves the log start offset (checkpointed) and drops segments wholly below it. */
  deleteRecordsBefore(offset: number): number {
    this.ensureOpen();
    if (offset > this.logEndOffset || offset < 0) {
      throw new StorageError('OFFSET_OUT_OF_RANGE', `cannot delete records before ${offset}: log end offset is ${this.logEndOffset}`);
    }
    if (offset <= this.startOffset) return this.startOffset;
    this.setLogStartOffset(offset);
    while (this.segments.length > 1 && this.segments[0]!.nextOffset <= offset) this.deleteOldestSegment();
    return this.startOffset;
  }

  /** Retention by time (segment's largest timestamp) and size; the active segment always stays. */
  enforceRetention(now: number): RetentionResult {
    this.ensureOpen();
    const result: RetentionResult = { deletedSegments: 0, deletedBytes: 0 };
    const drop = (): void => {
      result.deletedBytes += this.deleteOldestSegment();
      result.deletedSegments++;
    };
    while (this.segments.length > 1 && this.segments[0]!.nextOffset <= this.startOffset) drop();
    if (this.cfg.retentionMs >= 0) {
      while (this.segments.length > 1 && now - this.segmentTimestamp(this.segments[0]!) > this.cfg.retentionMs) drop();
    }
    if (this.cfg.retentionBytes >= 0) {
      let excess = this.sizeBytes - this.cfg.retentionBytes;
      while (this.segments.length > 1 && excess - this.segments[0]!.sizeBytes >= 0) {
        excess -= this.segments[0]!.sizeBytes;
        drop();
      }
    }
    if (this.segments[0]!.baseOffset > this.startOffset) this.setLogStartOffset(this.segments[0]!.baseOffset);
    return result;
  }

  /** Drops every offset >= `offset` (replica truncation). Whole batches go: the one holding `offset` too. */
  truncateTo(offset: number): void {
    this.ensureOpen();
    if (offset >= this.logEndOffset) return;
    if (offset < this.startOffset) {
      this.truncateFullyAndStartAt(offset);
    } else {
      while (this.segments.length > 1 && this.active.baseOffset >= offset) this.deleteNewestSegment();
      if (this.active.baseOffset >= offset) {
        this.truncateFullyAndStartAt(offset);
      } else {
        this.active.truncateTo(offset);
      }
    }
    this.epochs.truncateFromEnd(this.logEndOffset);
    if (this.recoveryPoint > this.logEndOffset) {
      this.recoveryPoint = this.logEndOffset;
      writeOffsetCheckpoint(this.file(RECOVERY_POINT_CHECKPOINT), this.recoveryPoint, false);
    }
  }

  /** Deletes every segment and starts an empty log at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    while (this.segments.length > 0) this.deleteNewestSegment();
    this.segments.push(Segment.create(this.dir, offset, this.segmentOptions(), this.clock.now()));
    this.epochs.clear();
    this.startOffset = offset;
    writeOffsetCheckpoint(this.file(LOG_START_OFFSET_CHECKPOINT), offset, true);
    this.recoveryPoint = Math.min(this.recoveryPoint, offset);
  }

  /** Flushes, closes files and leaves the clean-shutdown marker so the next open skips recovery. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.epochs.close();
    for (const s of this.segments) s.close();
    this.cancelDeleteTimers();
    fs.writeFileSync(this.file(CLEAN_SHUTDOWN_FILE), '');
  }

  /** Closes without a clean marker and removes the whole directory. */
  delete(): void {
    if (!this.closed) {
      this.closed = true;
      this.epochs.close();
      for (const s of this.segments) s.close();
    }
    this.cancelDeleteTimers();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private setLogStartOffset(offset: number): void {
    invariant(offset >= this.startOffset, `log start offset moving back ${this.startOffset} -> ${offset}`);
    this.startOffset = offset;
    writeOffsetCheckpoint(this.file(LOG_START_OFFSET_CHECKPOINT), offset, true);
    this.epochs.truncateFromStart(offset);
  }

  private segmentTimestamp(seg: Segment): number {
    if (seg.maxTimestamp >= 0) return seg.maxTimestamp;
    return fs.fstatSync(seg.fd).mtimeMs;
  }

  private deleteOldestSegment(): number {
    invariant(this.segments.length > 1, 'the active segment is never deleted by retention');
    const seg = this.segments.shift()!;
    const bytes = seg.sizeBytes;
    this.scheduleFileDeletion(seg.markDeleted());
    return bytes;
  }

  private deleteNewestSegment(): void {
    const seg = this.segments.pop()!;
    this.scheduleFileDeletion(seg.markDeleted());
  }

  private scheduleFileDeletion(paths: string[]): void {
    const remove = (): void => {
      for (const p of paths) fs.rmSync(p, { force: true });
    };
    if (this.cfg.fileDeleteDelayMs <= 0) return remove();
    const handle = this.clock.setTimeout(() => {
      this.deleteTimers.delete(handle);
      remove();
    }, this.cfg.fileDeleteDelayMs);
    this.deleteTimers.add(handle);
  }

  private cancelDeleteTimers(): void {
    // Files left as *.deleted are removed by the next open.
    for (const h of this.deleteTimers) this.clock.clearTimeout(h);
    this.deleteTimers.clear();
  }

  /** Index of the last segment whose base offset is <= `offset` (0 if none). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private segmentOptions(): { indexIntervalBytes: number; segmentIndexBytes: number } {
    return { indexIntervalBytes: this.cfg.indexIntervalBytes, segmentIndexBytes: this.cfg.segmentIndexBytes };
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  private ensureOpen(): void {
    if (this.closed) throw new StorageError('LOG_CLOSED', `log ${this.dir} is closed`);
  }
}

/** Checks that `batches` is a whole number of v2 batches (the broker validated their content). */
function checkFraming(batches: Buffer): Framing {
  const framing: Framing = { count: 0, records: 0 };
  if (batches.length === 0) throw new StorageError('INVALID_RECORD_BATCH', 'empty append');
  let at = 0;
  while (at < batches.length) {
    if (batches.length - at < BATCH.HEADER_SIZE) throw new StorageError('INVALID_RECORD_BATCH', `truncated batch header at ${at}`);
    const size = batchSize(batches, at);
    if (size < BATCH.HEADER_SIZE || at + size > batches.length) throw new StorageError('INVALID_RECORD_BATCH', `bad batch length ${size} at ${at}`);
    if (magic(batches, at) !== 2) throw new StorageError('INVALID_RECORD_BATCH', `magic ${magic(batches, at)} at ${at}`);
    if (lastOffsetDelta(batches, at) < 0) throw new StorageError('INVALID_RECORD_BATCH', `negative last offset delta at ${at}`);
    framing.count++;
    framing.records += Math.max(1, recordCount(batches, at));
    at += size;
  }
  return framing;
}
