import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, REUSABLE_FRAME_BYTES_MIN } from '../../src/network/frame-decoder.ts';

/** A size-prefixed frame of `size` bytes filled with `fill`, split into `chunkBytes` pieces. */
function frameChunks(size: number, fill: number, chunkBytes: number): Buffer[] {
  const buf = Buffer.alloc(4 + size, fill);
  buf.writeInt32BE(size, 0);
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length; at += chunkBytes) out.push(buf.subarray(at, Math.min(buf.length, at + chunkBytes)));
  return out;
}

function nextFrame(d: FrameDecoder): Buffer {
  const r = d.next();
  assert.equal(r.kind, 'frame');
  return (r as { frame: Buffer }).frame;
}

test('a frame inside one chunk is a subarray of it (no copy)', () => {
  const d = new FrameDecoder(1 << 20);
  const [chunk] = frameChunks(100, 7, 1 << 20);
  d.push(chunk!);
  const frame = nextFrame(d);
  assert.equal(frame.buffer, chunk!.buffer);
  assert.equal(frame.length, 100);
});

test('a released spanning frame\'s memory is reused for the next one; an unreleased one never is', () => {
  const size = REUSABLE_FRAME_BYTES_MIN * 4;
  const d = new FrameDecoder(1 << 24);
  for (const c of frameChunks(size, 1, 65536)) d.push(c);
  const first = nextFrame(d);
  assert.equal(first.length, size);
  assert.ok(first.every((b) => b === 1));
  for (const c of frameChunks(size - 10, 2, 65536)) d.push(c);
  const second = nextFrame(d);
  assert.notEqual(second.buffer, first.buffer, 'not released: fresh memory');
  assert.ok(first.every((b) => b === 1), 'the unreleased frame is intact');
  d.release(second);
  for (const c of frameChunks(size - 20, 3, 65536)) d.push(c);
  const third = nextFrame(d);
  assert.equal(third.buffer, second.buffer, 'released: same memory');
  assert.equal(third.length, size - 20);
  assert.ok(third.every((b) => b === 3));
  d.release(first); // a stale frame: ignored
  for (const c of frameChunks(size, 4, 65536)) d.push(c);
  const fourth = nextFrame(d);
  assert.notEqual(fourth.buffer, third.buffer, 'third was not released');
  assert.ok(third.every((b) => b === 3));
});

test('small spanning frames are plain copies and releasing them is harmless', () => {
  const d = new FrameDecoder(1 << 20);
  for (const c of frameChunks(1000, 5, 100)) d.push(c);
  const a = nextFrame(d);
  d.release(a);
  for (const c of frameChunks(1000, 6, 100)) d.push(c);
  const b = nextFrame(d);
  assert.ok(a.buffer !== b.buffer || a.byteOffset !== b.byteOffset, 'distinct memory');
  assert.ok(a.every((x) => x === 5) && b.every((x) => x === 6));
});
