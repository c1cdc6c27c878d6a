import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { IndexFile } from '../../src/log/index-file.ts';
import { tempDir } from '../helpers/batches.ts';

test('floor finds the largest key <= target (or < target when strict)', () => {
  const { dir, cleanup } = tempDir();
  try {
    const idx = IndexFile.create(path.join(dir, 'a.index'), 'offset', 1024);
    for (const k of [0, 10, 20, 30]) idx.append(k, k * 100);
    assert.equal(idx.floor(-1), null);
    assert.deepEqual(idx.floor(10), { key: 10, value: 1000 });
    assert.deepEqual(idx.floor(15), { key: 10, value: 1000 });
    assert.deepEqual(idx.floor(10, true), { key: 0, value: 0 });
    assert.deepEqual(idx.floor(99), { key: 30, value: 3000 });
    idx.close();
  } finally {
    cleanup();
  }
});

test('round trip through the file; non-monotonic or ragged files are rejected', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = path.join(dir, 'a.timeindex');
    const idx = IndexFile.create(file, 'time', 1024);
    idx.append(1_700_000_000_000, 0);
    idx.append(1_700_000_000_500, 7);
    idx.close();
    assert.equal(fs.statSync(file).size, 24);
    const loaded = IndexFile.load(file, 'time', 1024, 1 << 20)!;
    assert.deepEqual(loaded.last(), { key: 1_700_000_000_500, value: 7 });
    fs.appendFileSync(file, Buffer.alloc(5));
    assert.equal(IndexFile.load(file, 'time', 1024, 1 << 20), null);
    const bad = Buffer.alloc(16);
    bad.writeInt32BE(10, 0);
    bad.writeInt32BE(5, 8);
    fs.writeFileSync(path.join(dir, 'b.index'), bad);
    assert.equal(IndexFile.load(path.join(dir, 'b.index'), 'offset', 1024, 1 << 20), null);
    assert.equal(IndexFile.load(path.join(dir, 'missing.index'), 'offset', 1024, 1 << 20), null);
  } finally {
    cleanup();
  }
});

test('the index reports full at segmentIndexBytes and refuses more entries', () => {
  const { dir, cleanup } = tempDir();
  try {
    const idx = IndexFile.create(path.join(dir, 'a.index'), 'offset', 16);
    idx.append(1, 1);
    idx.append(2, 2);
    assert.equal(idx.isFull, true);
    assert.throws(() => idx.append(3, 3), { code: 'INVARIANT_VIOLATION' });
    idx.close();
  } finally {
    cleanup();
  }
});
