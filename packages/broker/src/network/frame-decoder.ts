/**
 * Splits a TCP byte stream into Kafka request frames (int32 size prefix, then the request).
 * Incoming chunks are kept in a list; a frame that lies inside one chunk is returned as a
 * subarray (no copy), a frame spanning chunks is copied once. Sizes are checked at the boundary:
 * a size above `requestBytesMax` or below the smallest possible header is a framing error.
 *
 * Large frames (Produce requests of ~1 MB arrive as ~16 socket chunks) are copied into a buffer
 * that the decoder owns. The connection may hand such a frame back with `release()` once nothing
 * refers to its bytes any more; the next spanning frame then reuses that memory instead of
 * allocating a fresh one (fresh memory costs page faults, and external allocations drive V8's
 * full GCs: measured 2-3x the copy itself).
 */

/** apiKey (2) + apiVersion (2) + correlationId (4): nothing shorter can be a request. */
export const REQUEST_HEADER_BYTES_MIN = 8;
const SIZE_PREFIX_BYTES = 4;
/** Spanning frames at least this big get a reusable buffer (rounded up to a power of two). */
export const REUSABLE_FRAME_BYTES_MIN = 64 * 1024;

export type FrameResult =
  | { readonly kind: 'frame'; readonly frame: Buffer }
  | { readonly kind: 'need-more' }
  | { readonly kind: 'error'; readonly reason: string };

export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  private head = 0; // read position inside chunks[0]
  private buffered = 0;
  private readonly requestBytesMax: number;
  /** The whole buffer behind the last spanning frame handed out, and whether it came back. */
  private owned: Buffer | null = null;
  private ownedFrame: Buffer | null = null;
  private ownedFree = false;

  constructor(requestBytesMax: number) {
    this.requestBytesMax = requestBytesMax;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Returns the next complete frame, 'need-more', or a framing error (the connection must close). */
  next(): FrameResult {
    if (this.buffered < SIZE_PREFIX_BYTES) return { kind: 'need-more' };
    const size = this.peekInt32();
    if (size > this.requestBytesMax) {
      return { kind: 'error', reason: `request size ${size} exceeds socket.request.max.bytes ${this.requestBytesMax}` };
    }
    if (size < REQUEST_HEADER_BYTES_MIN) return { kind: 'error', reason: `request size ${size} is smaller than a request header` };
    if (this.buffered < SIZE_PREFIX_BYTES + size) return { kind: 'need-more' };
    this.consume(SIZE_PREFIX_BYTES);
    return { kind: 'frame', frame: this.consume(size) };
  }

  private peekInt32(): number {
    const first = this.chunks[0]!;
    if (first.length - this.head >= SIZE_PREFIX_BYTES) return first.readInt32BE(this.head);
    const tmp = Buffer.allocUnsafe(SIZE_PREFIX_BYTES);
    this.copyOut(tmp, SIZE_PREFIX_BYTES, false);
    return tmp.readInt32BE(0);
  }

  /** Removes n bytes from the front; a subarray when they lie in one chunk, else one copy. */
  private consume(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      this.buffered -= n;
      if (this.head === first.length) { this.chunks.shift(); this.head = 0; }
      return out;
    }
    const out = this.frameBuffer(n);
    this.copyOut(out, n, true);
    return out;
  }

  /**
   * The caller is done with `frame` (returned by next()) and keeps no reference into it: its memory
   * may be overwritten by a later frame. Frames the decoder does not own are ignored.
   */
  release(frame: Buffer): void {
    if (frame === this.ownedFrame) this.ownedFree = true;
  }

  private frameBuffer(n: number): Buffer {
    if (n < REUSABLE_FRAME_BYTES_MIN) return Buffer.allocUnsafe(n);
    if (!this.ownedFree || this.owned === null || this.owned.length < n) {
      // The previous buffer (if any) may still be in use: leave it to the GC.
      this.owned = Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(n)));
    }
    this.ownedFree = false;
    this.ownedFrame = this.owned.subarray(0, n);
    return this.ownedFrame;
  }

  private copyOut(target: Buffer, n: number, remove: boolean): void {
    let copied = 0;
    let index = 0;
    let head = this.head;
    while (copied < n) {
      const c = this.chunks[index]!;
      const take = Math.min(n - copied, c.length - head);
      c.copy(target, copied, head, head + take);
      copied += take;
      head += take;
      if (head === c.length) { index++; head = 0; }
    }
    if (!remove) return;
    this.chunks.splice(0, index);
    this.head = head;
    this.buffered -= n;
  }
}
