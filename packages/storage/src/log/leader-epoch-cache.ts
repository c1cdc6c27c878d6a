import fs from 'node:fs';
import path from 'node:path';
import { StorageError, invariant } from '../errors.ts';
import { readCheckpoint, syncCheckpointFdAsync, writeCheckpoint } from './checkpoint.ts';

/**
 * Leader epoch -> start offset history (KIP-101/279), persisted in `leader-epoch-checkpoint`
 * in Kafka's text format: version line, count line, then one `epoch startOffset` line each.
 *
 * Persistence (as KAFKA-15046 did for Kafka): a new epoch (`assign`) is written in the background,
 * coalesced, so the first append of an epoch never waits for an fsync on the event loop; a new
 * epoch is also recoverable from the PartitionLeaderEpoch of the batches, which the log rebuilds
 * from the segments it recovers. `flush()` makes the file current synchronously: the log calls it
 * before its recovery point passes an epoch's start offset, and on close. Truncations (rare, and
 * not recoverable from the batches) are written synchronously.
 */
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
/** Temp file of the background writer (distinct from writeCheckpoint's `.tmp`; `.tmp` leftovers are removed at open). */
const ASYNC_TMP_SUFFIX = '.async.tmp';
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;
const CHECKPOINT_VERSION = 0;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private readonly file: string;
  private entries: EpochEntry[];
  /** Bumped on every change; `durableVersion` is the version the file holds (fdatasync'ed). */
  private version = 0;
  private durableVersion = 0;
  private writing = false;
  private closed = false;

  private constructor(file: string, entries: EpochEntry[]) {
    this.file = file;
    this.entries = entries;
  }

  static load(dir: string): LeaderEpochCache {
    const file = path.join(dir, LEADER_EPOCH_CHECKPOINT);
    const text = readCheckpoint(file);
    return new LeaderEpochCache(file, text === null ? [] : parseEpochCheckpoint(text, file));
  }

  get latestEpoch(): number {
    return this.entries[this.entries.length - 1]?.epoch ?? UNDEFINED_EPOCH;
  }

  all(): readonly EpochEntry[] {
    return this.entries;
  }

  /** Records that `epoch` starts at `startOffset`; a no-op unless the epoch is new. */
  assign(epoch: number, startOffset: number): void {
    const latest = this.entries[this.entries.length - 1];
    if (latest && epoch <= latest.epoch) return;
    invariant(!latest || startOffset >= latest.startOffset, `epoch ${epoch} starts at ${startOffset}, before epoch ${latest?.epoch}`);
    this.entries.push({ epoch, startOffset });
    this.version++;
    this.persistInBackground();
  }

  /** True while the checkpoint file lags the entries (a background write pending or failed). */
  get hasUnflushedChanges(): boolean {
    return this.durableVersion !== this.version;
  }

  /** Writes the checkpoint synchronously (fdatasync'ed) if it lags the entries. */
  flush(): void {
    if (this.durableVersion === this.version) return;
    const version = this.version;
    writeCheckpoint(this.file, this.render(), true);
    this.durableVersion = version;
  }

  /** Stops background writes (the log is closing or being deleted); call flush() first to keep changes. */
  close(): void {
    this.closed = true;
  }

  /** OffsetForLeaderEpoch: the largest epoch <= `requested` and the start offset of the next epoch. */
  endOffsetFor(requested: number, logEndOffset: number): { epoch: number; endOffset: number } {
    const undefinedResult = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requested === UNDEFINED_EPOCH || this.entries.length === 0) return undefinedResult;
    if (requested === this.latestEpoch) return { epoch: requested, endOffset: logEndOffset };
    const higher = this.entries.find((e) => e.epoch > requested);
    if (!higher) return undefinedResult;
    let floor: EpochEntry | undefined;
    for (const e of this.entries) if (e.epoch <= requested) floor = e;
    return { epoch: floor ? floor.epoch : requested, endOffset: higher.startOffset };
  }

  /** Drops epochs starting at or after `offset` (log truncated to `offset`). */
  truncateFromEnd(offset: number): void {
    const kept = this.entries.filter((e) => e.startOffset < offset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    this.persist();
  }

  /** Log start moved to `offset`: older epochs go, the one covering `offset` now starts there. */
  truncateFromStart(offset: number): void {
    let changed = false;
    while (this.entries.length > 1 && this.entries[1]!.startOffset <= offset) {
      this.entries.shift();
      changed = true;
    }
    const first = this.entries[0];
    if (first && first.startOffset < offset) {
      first.startOffset = offset;
      changed = true;
    }
    if (changed) this.persist();
  }

  /** Forgets every epoch (log truncated fully). */
  clear(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.persist();
  }

  private persist(): void {
    this.version++;
    this.flush();
  }

  private render(): string {
    const lines = [String(CHECKPOINT_VERSION), String(this.entries.length)];
    for (const e of this.entries) lines.push(`${e.epoch} ${e.startOffset}`);
    return lines.join('\n') + '\n';
  }

  /** One background write at a time; changes made meanwhile go out in the next one. */
  private persistInBackground(): void {
    if (this.writing || this.closed) return;
    const version = this.version;
    const tmp = this.file + ASYNC_TMP_SUFFIX;
    let fd: number;
    try {
      fd = fs.openSync(tmp, 'w');
    } catch {
      return; // stays pending: the next flush() writes synchronously and reports the error
    }
    this.writing = true;
    syncCheckpointFdAsync(fd, this.render(), (err) => this.backgroundWriteDone(fd, tmp, version, err));
  }

  private backgroundWriteDone(fd: number, tmp: string, version: number, err: Error | null): void {
    this.writing = false;
    try {
      fs.closeSync(fd);
      // Closed: leave the file alone (its directory may be gone or reused); open removes `.tmp` leftovers.
      if (this.closed) return;
      if (err || this.durableVersion >= version) {
        fs.rmSync(tmp, { force: true }); // failed (flush() will report it) or overtaken by a flush()
        if (err) return;
      } else {
        fs.renameSync(tmp, this.file);
        this.durableVersion = version;
      }
    } catch {
      return; // stays pending for flush()
    }
    if (this.version !== this.durableVersion) this.persistInBackground();
  }
}

function parseEpochCheckpoint(text: string, file: string): EpochEntry[] {
  const corrupt = (why: string): StorageError => new StorageError('CORRUPT_LOG', `${file}: ${why}`);
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== String(CHECKPOINT_VERSION)) throw corrupt(`unsupported version ${lines[0]}`);
  const count = Number(lines[1]);
  if (!Number.isSafeInteger(count) || count < 0 || count !== lines.length - 2) throw corrupt(`bad entry count ${lines[1]}`);
  const entries: EpochEntry[] = [];
  for (const line of lines.slice(2)) {
    const [epochText, offsetText, extra] = line.trim().split(/\s+/);
    const epoch = Number(epochText);
    const startOffset = Number(offsetText);
    if (extra !== undefined || !Number.isSafeInteger(epoch) || !Number.isSafeInteger(startOffset)) throw corrupt(`bad line "${line}"`);
    const prev = entries[entries.length - 1];
    if (prev && (epoch <= prev.epoch || startOffset < prev.startOffset)) throw corrupt(`entries not increasing at "${line}"`);
    entries.push({ epoch, startOffset });
  }
  return entries;
}
