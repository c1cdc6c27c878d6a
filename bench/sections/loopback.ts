/**
 * Raw loopback TCP baseline (`L_net` in reference/performance.md): a writer process writes 1 MiB
 * buffers for a few seconds honouring 'drain', a reader process counts bytes.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '../lib/worker.ts';
import { round } from '../lib/proc.ts';

export interface LoopbackResult {
  bufferBytes: number;
  seconds: number;
  bytes: number;
  MBps: number;
  readerCpuPerSec: number;
  writerCpuPerSec: number;
}

export async function runLoopback(seconds: number, bufferBytes = 1 << 20): Promise<LoopbackResult> {
  const reader = new Worker('loopback.ts', ['reader']);
  let writer: Worker | null = null;
  try {
    const { port } = await reader.next<{ port: number }>(30_000);
    writer = new Worker('loopback.ts', ['writer', String(port), String(seconds), String(bufferBytes)]);
    const w = await writer.next<{ bytes: number; cpuSeconds: number }>(60_000);
    const r = await reader.next<{ bytes: number; seconds: number; cpuSeconds: number }>(60_000);
    return {
      bufferBytes, seconds: round(r.seconds, 3), bytes: r.bytes, MBps: round(r.bytes / 1e6 / r.seconds),
      readerCpuPerSec: round(r.cpuSeconds / r.seconds, 2), writerCpuPerSec: round(w.cpuSeconds / r.seconds, 2),
    };
  } finally {
    await writer?.close();
    await reader.close();
  }
}

export interface PageCacheResult {
  files: number;
  writeBytes: number;
  totalBytes: number;
  seconds: number;
  MBps: number;
}

/**
 * Page-cache write ceiling for the produce path: `fs.writeSync` of 64 KiB chunks round-robin into
 * 256 fresh files (like a broker appending to 256 partitions), no fsync. On a VM, writes that
 * need fresh guest memory run several times slower than writes into recycled pages.
 */
export function runPageCacheWrite(dir: string, totalBytes = 1 << 30, files = 256, writeBytes = 1 << 16): PageCacheResult {
  const fds = Array.from({ length: files }, (_, i) => openSync(join(dir, `pc-${i}.log`), 'w'));
  const buf = Buffer.alloc(writeBytes, 0x61);
  const start = performance.now();
  try {
    for (let written = 0, i = 0; written < totalBytes; written += writeBytes, i++) writeSync(fds[i % files]!, buf);
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  const seconds = (performance.now() - start) / 1000;
  for (let i = 0; i < files; i++) rmSync(join(dir, `pc-${i}.log`), { force: true });
  return { files, writeBytes, totalBytes, seconds: round(seconds, 3), MBps: round(totalBytes / 1e6 / seconds) };
}
