import path from 'node:path';
import { StorageError, invariant } from '../errors.ts';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';

/**
 * Leader epoch -> start offset history (KIP-101/279), persisted in `leader-epoch-checkpoint`
 * in Kafka's text format: version line, count line, then one `epoch startOffset` line each.
 */
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
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
    this.persist();
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
    const lines = [String(CHECKPOINT_VERSION), String(this.entries.length)];
    for (const e of this.entries) lines.push(`${e.epoch} ${e.startOffset}`);
    writeCheckpoint(this.file, lines.join('\n') + '\n', true);
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
