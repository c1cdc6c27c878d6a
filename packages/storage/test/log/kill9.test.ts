import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crcValid } from '@tributary/protocol';
import { PartitionLog } from '../../src/index.ts';
import { batchOffsets, tempDir } from '../helpers/batches.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const writer = path.resolve(here, '../fixtures/kill9-writer.ts');
const deadlineMs = 60_000;
/** Kill once this much is flushed: several segments of 256 KiB. */
const flushedTarget = 10_000;

test('after kill -9 mid-stream, flushed data is intact and offsets are contiguous', async () => {
  const { dir, cleanup } = tempDir();
  const logDir = path.join(dir, 'crash-0');
  const child = spawn(process.execPath, ['--import', 'tsx', writer, logDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const lastFlushed = await new Promise<number>((resolve, reject) => {
      let flushed = 0;
      let pending = '';
      const timer = setTimeout(() => reject(new Error(`writer did not reach ${flushedTarget} in time: ${stderr}`)), deadlineMs);
      child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
      child.stdout.on('data', (d: Buffer) => {
        pending += d.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line.startsWith('flushed ')) flushed = Number(line.slice(8));
        if (flushed >= flushedTarget) {
          clearTimeout(timer);
          child.kill('SIGKILL'); // mid-stream: the writer is still appending
          resolve(flushed);
        }
      });
    });
    await new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    assert.equal(child.signalCode, 'SIGKILL');

    const log = PartitionLog.open(logDir);
    try {
      assert.equal(log.loadStats.hadCleanShutdown, false);
      assert.ok(log.logEndOffset >= lastFlushed, `log end ${log.logEndOffset} >= flushed ${lastFlushed}`);
      assert.ok(log.segmentCount > 2, 'crossed segment boundaries');
      let next = 0;
      while (next < log.logEndOffset) {
        const { records } = log.read(next, { maxBytes: 1 << 20, minOneBatch: true });
        let at = 0;
        for (const [base, last, size] of batchOffsets(records)) {
          assert.equal(base, next, 'offsets contiguous');
          assert.ok(crcValid(records, at), `CRC of batch ${base}`);
          next = last + 1;
          at += size;
        }
      }
      assert.equal(next, log.logEndOffset);
      assert.equal(log.latestEpoch, 3);
    } finally {
      log.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    cleanup();
  }
});
