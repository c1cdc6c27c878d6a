import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RESPONSE_BLOCK_BYTES, RESPONSE_BLOCK_READ_BYTES_MIN, ResponseBufferPool,
} from '../../src/network/response-buffer-pool.ts';

test('a block is reused only after the chunks referring to it were released as written', () => {
  const pool = new ResponseBufferPool(4);
  const a = pool.alloc(RESPONSE_BLOCK_READ_BYTES_MIN);
  assert.equal(a.length, RESPONSE_BLOCK_BYTES);
  const b = pool.alloc(RESPONSE_BLOCK_BYTES);
  assert.notEqual(b.buffer, a.buffer, 'a lent block is never handed out twice');
  const chunkOfA = a.subarray(0, 5000);
  assert.equal(pool.holdsAny([Buffer.alloc(10), chunkOfA]), true);
  pool.releaseWritten([Buffer.alloc(10), chunkOfA]);
  assert.equal(pool.holdsAny([chunkOfA]), false);
  pool.releaseWritten([chunkOfA]); // a second release is ignored
  assert.equal(pool.freeBlocks, 1);
  const c = pool.alloc(200_000);
  assert.equal(c.buffer, a.buffer, 'released memory is recycled');
  const d = pool.alloc(200_000);
  assert.notEqual(d.buffer, a.buffer, 'only once');
});

test('small and oversized reads get plain buffers; the free list is bounded', () => {
  const pool = new ResponseBufferPool(1);
  const small = pool.alloc(100);
  const big = pool.alloc(RESPONSE_BLOCK_BYTES + 1);
  assert.equal(small.length, 100);
  assert.equal(big.length, RESPONSE_BLOCK_BYTES + 1);
  assert.equal(pool.holdsAny([small, big]), false);
  const x = pool.alloc(RESPONSE_BLOCK_BYTES);
  const y = pool.alloc(RESPONSE_BLOCK_BYTES);
  pool.releaseWritten([x, y]);
  assert.equal(pool.freeBlocks, 1);
});
