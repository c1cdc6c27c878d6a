/**
 * The high-watermark checkpoint: `replication-offset-checkpoint` in each log dir, Kafka's text
 * format (`0` version line, entry count, then `topic partition offset` per line). Written every
 * `replica.high.watermark.checkpoint.interval.ms` and on clean shutdown; read when a partition is
 * opened, so a restarted replica starts from the HW it had instead of its log start (which would
 * hide acknowledged records from consumers until followers fetch again) or its log end (which
 * could expose records that were never acknowledged). Atomic: temp file, fdatasync, rename.
 */
import fs from 'node:fs';
import path from 'node:path';

export const HW_CHECKPOINT_FILE = 'replication-offset-checkpoint';
const VERSION = 0;
/** Entries one checkpoint may hold (a bound on the parse of a corrupt file). */
const ENTRIES_MAX = 1_000_000;

export interface HighWatermarkEntry {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: number;
}

const entryKey = (topic: string, partition: number): string => `${topic} ${partition}`;

export function encodeHighWatermarks(entries: readonly HighWatermarkEntry[]): string {
  const lines = [String(VERSION), String(entries.length)];
  for (const e of entries) lines.push(`${e.topic} ${e.partition} ${e.highWatermark}`);
  return `${lines.join('\n')}\n`;
}

/** Parses a checkpoint; a malformed file yields an empty map (Kafka fails; we fall back to the log). */
export function decodeHighWatermarks(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines[0] !== String(VERSION)) return out;
  const count = Number(lines[1]);
  if (!Number.isSafeInteger(count) || count < 0 || count > ENTRIES_MAX || lines.length - 2 !== count) return out;
  for (const line of lines.slice(2)) {
    const parts = line.split(' ');
    const partition = Number(parts[1]);
    const offset = Number(parts[2]);
    if (parts.length !== 3 || !Number.isSafeInteger(partition) || !Number.isSafeInteger(offset) || offset < 0) return new Map();
    out.set(entryKey(parts[0]!, partition), offset);
  }
  return out;
}

/** Reads the checkpoints of log dirs on demand, each once. */
export class HighWatermarkCheckpoints {
  private readonly loaded = new Map<string, Map<string, number>>();

  /** The checkpointed HW of the partition whose log lives in `partitionDir`, or undefined. */
  lookup(partitionDir: string, topic: string, partition: number): number | undefined {
    const logDir = path.dirname(partitionDir);
    let entries = this.loaded.get(logDir);
    if (entries === undefined) {
      entries = readCheckpointFile(path.join(logDir, HW_CHECKPOINT_FILE));
      this.loaded.set(logDir, entries);
    }
    return entries.get(entryKey(topic, partition));
  }

  /** Writes one checkpoint per log dir from the partitions' current HWs (grouped by log dir). */
  write(partitions: readonly { readonly topic: string; readonly index: number; readonly highWatermark: number; readonly log: { readonly dir: string } }[]): void {
    const byDir = new Map<string, HighWatermarkEntry[]>();
    for (const p of partitions) {
      const dir = path.dirname(p.log.dir);
      let list = byDir.get(dir);
      if (list === undefined) byDir.set(dir, list = []);
      list.push({ topic: p.topic, partition: p.index, highWatermark: p.highWatermark });
    }
    for (const [dir, entries] of byDir) {
      writeAtomically(path.join(dir, HW_CHECKPOINT_FILE), encodeHighWatermarks(entries));
      this.loaded.set(dir, new Map(entries.map((e) => [entryKey(e.topic, e.partition), e.highWatermark])));
    }
  }
}

function readCheckpointFile(file: string): Map<string, number> {
  try {
    return decodeHighWatermarks(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
