import fs from 'node:fs';
import { StorageError } from '../errors.ts';

/**
 * Small text checkpoint files (leader epochs, log start offset, recovery point), written
 * atomically: temp file, fdatasync, rename. A reader sees the old or the new content, never half.
 */
export function writeCheckpoint(path: string, text: string, sync: boolean): void {
  const tmp = `${path}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, text);
      if (sync) fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
  } catch (err) {
    throw new StorageError('IO_ERROR', `cannot write checkpoint ${path}`, { cause: err });
  }
}

/**
 * Writes `text` durably to the start of `fd` (a freshly created temp file) off the event loop:
 * write + fdatasync run in libuv's thread pool and `done` is called on the event loop. The caller
 * opens the file and closes and renames it itself, synchronously, so that no file appears or moves
 * behind its back (a directory being deleted, a newer synchronous writeCheckpoint).
 */
export function syncCheckpointFdAsync(fd: number, text: string, done: (err: Error | null) => void): void {
  const data = Buffer.from(text);
  fs.write(fd, data, 0, data.length, 0, (writeErr, written) => {
    if (writeErr) return done(writeErr);
    if (written !== data.length) return done(new Error(`short checkpoint write ${written}/${data.length}`));
    fs.fdatasync(fd, (syncErr) => done(syncErr));
  });
}

/** The file's text, or null if it does not exist. */
export function readCheckpoint(path: string): string | null {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError('IO_ERROR', `cannot read checkpoint ${path}`, { cause: err });
  }
}

/** Parses a single-offset checkpoint ("0\n<offset>\n"); null when missing or malformed. */
export function readOffsetCheckpoint(path: string): number | null {
  const text = readCheckpoint(path);
  if (text === null) return null;
  const lines = text.trim().split('\n');
  if (lines.length !== 2 || lines[0] !== '0') return null;
  const value = Number(lines[1]);
  return Number.isSafeInteger(value) && value >= 0 ? value : null;
}

export function writeOffsetCheckpoint(path: string, offset: number, sync: boolean): void {
  writeCheckpoint(path, `0\n${offset}\n`, sync);
}
