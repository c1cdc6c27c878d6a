import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32c } from '@node-rs/crc32';

/** Builds valid uncompressed v2 batches for tests (independent of the protocol package's encoder). */
export interface TestBatchOptions {
  baseOffset?: number;
  /** Record count (default 1). */
  count?: number;
  baseTimestamp?: number;
  /** Timestamp step between consecutive records (default 1 ms). */
  timestampStepMs?: number;
  /** Bytes of value per record (default 10). */
  valueBytes?: number;
  epoch?: number;
}

function varint(out: number[], value: number): void {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

export function makeBatch(opts: TestBatchOptions = {}): Buffer {
  const count = opts.count ?? 1;
  const baseTs = opts.baseTimestamp ?? 1_000;
  const step = opts.timestampStepMs ?? 1;
  const valueBytes = opts.valueBytes ?? 10;
  const records: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const body: number[] = [0];
    varint(body, i * step);
    varint(body, i);
    varint(body, -1);
    varint(body, valueBytes);
    const head: number[] = [];
    const value = Buffer.alloc(valueBytes, (i % 251) + 1);
    const tail: number[] = [];
    varint(tail, 0);
    varint(head, body.length + valueBytes + tail.length);
    records.push(Buffer.from(head), Buffer.from(body), value, Buffer.from(tail));
  }
  const recordBytes = Buffer.concat(records);
  const buf = Buffer.alloc(61 + recordBytes.length);
  buf.writeBigInt64BE(BigInt(opts.baseOffset ?? 0), 0);
  buf.writeInt32BE(buf.length - 12, 8);
  buf.writeInt32BE(opts.epoch ?? 0, 12);
  buf.writeInt8(2, 16);
  buf.writeInt16BE(0, 21);
  buf.writeInt32BE(count - 1, 23);
  buf.writeBigInt64BE(BigInt(baseTs), 27);
  buf.writeBigInt64BE(BigInt(baseTs + (count - 1) * step), 35);
  buf.writeBigInt64BE(-1n, 43);
  buf.writeInt16BE(-1, 51);
  buf.writeInt32BE(-1, 53);
  buf.writeInt32BE(count, 57);
  recordBytes.copy(buf, 61);
  buf.writeUInt32BE(crc32c(buf.subarray(21)) >>> 0, 17);
  return buf;
}

/** Splits a buffer of back-to-back batches into [baseOffset, lastOffset, size] triples. */
export function batchOffsets(buf: Buffer): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let at = 0; at < buf.length; ) {
    const size = buf.readInt32BE(at + 8) + 12;
    const base = Number(buf.readBigInt64BE(at));
    out.push([base, base + buf.readInt32BE(at + 23), size]);
    at += size;
  }
  return out;
}

/** A fresh temp dir and its removal. */
export function tempDir(prefix = 'tributary-storage-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
