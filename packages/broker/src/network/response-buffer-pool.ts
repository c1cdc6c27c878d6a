/**
 * Recycled memory for the record bytes of Fetch responses. A catch-up consumer makes the broker
 * read ~1 GB per GB consumed into fresh buffers: fresh memory costs page faults, and external
 * allocations of that size drive V8's full GCs (measured: GC and faults were ~30% of the broker's
 * consume CPU). Reads of 64 KiB-1 MiB get a 1 MiB block instead; the connection hands a response's
 * chunks back with `releaseWritten` once the socket has written them, and only then can a block be
 * handed out again. A block that is never released (response dropped, connection gone, a re-read
 * of a long poll) is simply left to the GC: memory is reused only after an explicit release.
 */

/** Kafka's default max.partition.fetch.bytes: one block holds one partition's read. */
export const RESPONSE_BLOCK_BYTES = 1024 * 1024;
/** Smaller reads are not worth a block. */
export const RESPONSE_BLOCK_READ_BYTES_MIN = 64 * 1024;
/** Free blocks kept for reuse (64 MiB); released blocks beyond this go to the GC. */
export const RESPONSE_FREE_BLOCKS_MAX = 64;

export class ResponseBufferPool {
  private readonly free: Buffer[] = [];
  /** Blocks handed out and not yet released, by their memory. */
  private readonly lent = new WeakMap<ArrayBuffer, Buffer>();
  private readonly freeBlocksMax: number;

  constructor(freeBlocksMax = RESPONSE_FREE_BLOCKS_MAX) {
    this.freeBlocksMax = freeBlocksMax;
  }

  get freeBlocks(): number {
    return this.free.length;
  }

  /** A buffer of at least `bytes` bytes: a pooled block for mid-sized reads, else fresh memory. */
  readonly alloc = (bytes: number): Buffer => {
    if (bytes < RESPONSE_BLOCK_READ_BYTES_MIN || bytes > RESPONSE_BLOCK_BYTES) return Buffer.allocUnsafe(bytes);
    const block = this.free.pop() ?? Buffer.allocUnsafeSlow(RESPONSE_BLOCK_BYTES);
    this.lent.set(block.buffer as ArrayBuffer, block);
    return block;
  };

  /** The socket has written these chunks: the pooled blocks among them may be reused. */
  releaseWritten(chunks: readonly Buffer[]): void {
    for (const c of chunks) {
      const block = this.lent.get(c.buffer as ArrayBuffer);
      if (block === undefined) continue;
      this.lent.delete(c.buffer as ArrayBuffer);
      if (this.free.length < this.freeBlocksMax) this.free.push(block);
    }
  }

  /** True when any chunk lies in a lent block (the connection then asks to be told when it is written). */
  holdsAny(chunks: readonly Buffer[]): boolean {
    for (const c of chunks) if (this.lent.has(c.buffer as ArrayBuffer)) return true;
    return false;
  }
}

/** The broker's pool: Fetch reads into it, every connection releases what it has written. */
export const responseBufferPool = new ResponseBufferPool();
