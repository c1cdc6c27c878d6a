import fs from 'node:fs';
import { StorageError, invariant } from '../errors.ts';

/**
 * Sparse index file kept in memory and appended to disk entry by entry.
 * - offset index (`.index`): relative offset int32 + file position int32 (8 bytes, Kafka's layout)
 * - time index (`.timeindex`): timestamp int64 + relative offset int32 (12 bytes, Kafka's layout)
 * Keys strictly increase and values never decrease; a file that breaks this is treated as corrupt
 * and the caller rebuilds it from the log.
 */
export type IndexKind = 'offset' | 'time';

const ENTRY_BYTES: Record<IndexKind, number> = { offset: 8, time: 12 };
const INITIAL_CAPACITY = 64;

export interface IndexEntry {
  key: number;
  value: number;
}

export class IndexFile {
  readonly kind: IndexKind;
  readonly entryBytes: number;
  private pathName: string;
  private fd: number | null = null;
  private keys = new Float64Array(INITIAL_CAPACITY);
  private values = new Int32Array(INITIAL_CAPACITY);
  private length = 0;
  private maxEntries: number;
  private dirty = false;

  private constructor(path: string, kind: IndexKind, maxIndexBytes: number) {
    this.pathName = path;
    this.kind = kind;
    this.entryBytes = ENTRY_BYTES[kind];
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / this.entryBytes));
  }

  /** Creates (or empties) the index file. */
  static create(path: string, kind: IndexKind, maxIndexBytes: number): IndexFile {
    const index = new IndexFile(path, kind, maxIndexBytes);
    fs.writeFileSync(path, Buffer.alloc(0));
    return index;
  }

  /** Loads an index file; returns null when it is missing or fails the sanity checks. */
  static load(path: string, kind: IndexKind, maxIndexBytes: number, logSizeBytes: number): IndexFile | null {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StorageError('IO_ERROR', `cannot read index ${path}`, { cause: err });
    }
    const index = new IndexFile(path, kind, maxIndexBytes);
    if (bytes.length % index.entryBytes !== 0) return null;
    const count = bytes.length / index.entryBytes;
    index.maxEntries = Math.max(index.maxEntries, count);
    for (let i = 0; i < count; i++) {
      const at = i * index.entryBytes;
      const key = kind === 'offset' ? bytes.readInt32BE(at) : Number(bytes.readBigInt64BE(at));
      const value = bytes.readInt32BE(at + (kind === 'offset' ? 4 : 8));
      if (!index.acceptable(key, value)) return null;
      if (kind === 'offset' && value >= logSizeBytes) return null;
      index.push(key, value);
    }
    return index;
  }

  get path(): string {
    return this.pathName;
  }

  get count(): number {
    return this.length;
  }

  get isFull(): boolean {
    return this.length >= this.maxEntries;
  }

  get sizeBytes(): number {
    return this.length * this.entryBytes;
  }

  last(): IndexEntry | null {
    if (this.length === 0) return null;
    return { key: this.keys[this.length - 1]!, value: this.values[this.length - 1]! };
  }

  entry(i: number): IndexEntry {
    invariant(i >= 0 && i < this.length, `index entry ${i} out of range`);
    return { key: this.keys[i]!, value: this.values[i]! };
  }

  /** Entry with the largest key <= `key` (or < `key` when `strict`), or null. Binary search. */
  floor(key: number, strict = false): IndexEntry | null {
    let lo = 0;
    let hi = this.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid]!;
      if (k < key || (!strict && k === key)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? null : { key: this.keys[found]!, value: this.values[found]! };
  }

  append(key: number, value: number): void {
    invariant(this.acceptable(key, value), `${this.kind} index entry (${key}, ${value}) not monotonic in ${this.pathName}`);
    invariant(!this.isFull, `${this.kind} index full: ${this.pathName}`);
    const buf = Buffer.allocUnsafe(this.entryBytes);
    this.encode(buf, 0, key, value);
    fs.writeSync(this.openFd(), buf, 0, buf.length, this.length * this.entryBytes);
    this.push(key, value);
    this.dirty = true;
  }

  /** Replaces the whole index (recovery rebuild), written with one write call. */
  rewrite(entries: readonly IndexEntry[]): void {
    this.length = 0;
    const buf = Buffer.allocUnsafe(entries.length * this.entryBytes);
    for (const [i, e] of entries.entries()) {
      invariant(this.acceptable(e.key, e.value), `rebuilt ${this.kind} index not monotonic`);
      this.encode(buf, i * this.entryBytes, e.key, e.value);
      this.push(e.key, e.value);
    }
    this.maxEntries = Math.max(this.maxEntries, entries.length);
    const fd = this.openFd();
    fs.ftruncateSync(fd, 0);
    if (buf.length > 0) fs.writeSync(fd, buf, 0, buf.length, 0);
    this.dirty = true;
  }

  /** Keeps only the first `count` entries. */
  truncateToEntries(count: number): void {
    if (count >= this.length) return;
    this.length = Math.max(0, count);
    fs.ftruncateSync(this.openFd(), this.length * this.entryBytes);
    this.dirty = true;
  }

  /** Number of leading entries whose value is < `value` (values are sorted). */
  countValuesBelow(value: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  sync(): void {
    if (!this.dirty || this.fd === null) return;
    fs.fdatasyncSync(this.fd);
    this.dirty = false;
  }

  /** Closes the file handle; a later write reopens it. */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  renameTo(path: string): void {
    fs.renameSync(this.pathName, path);
    this.pathName = path;
  }

  private openFd(): number {
    if (this.fd === null) this.fd = fs.openSync(this.pathName, fs.constants.O_RDWR | fs.constants.O_CREAT);
    return this.fd;
  }

  private acceptable(key: number, value: number): boolean {
    if (value < 0 || !Number.isSafeInteger(key)) return false;
    if (this.kind === 'offset' && key < 0) return false;
    if (this.length === 0) return true;
    return key > this.keys[this.length - 1]! && value >= this.values[this.length - 1]!;
  }

  private encode(buf: Buffer, at: number, key: number, value: number): void {
    if (this.kind === 'offset') {
      buf.writeInt32BE(key, at);
      buf.writeInt32BE(value, at + 4);
    } else {
      buf.writeBigInt64BE(BigInt(key), at);
      buf.writeInt32BE(value, at + 8);
    }
  }

  private push(key: number, value: number): void {
    if (this.length === this.keys.length) {
      const keys = new Float64Array(this.keys.length * 2);
      keys.set(this.keys);
      const values = new Int32Array(this.values.length * 2);
      values.set(this.values);
      this.keys = keys;
      this.values = values;
    }
    this.keys[this.length] = key;
    this.values[this.length] = value;
    this.length++;
  }
}
