import { connect, type Socket } from 'node:net';

/** Waits until `check` is true, polling on the event loop, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A raw socket that collects size-prefixed frames and notices closes. */
export class RawConnection {
  readonly socket: Socket;
  readonly frames: Buffer[] = [];
  closed = false;
  private pending = Buffer.alloc(0);

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.pending = Buffer.concat([this.pending, d]);
      while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
        const n = this.pending.readInt32BE(0);
        this.frames.push(this.pending.subarray(4, 4 + n));
        this.pending = this.pending.subarray(4 + n);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => { this.closed = true; });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  send(frame: Buffer): void {
    const size = Buffer.alloc(4);
    size.writeInt32BE(frame.length);
    this.socket.write(Buffer.concat([size, frame]));
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async waitFrames(n: number): Promise<Buffer[]> {
    await waitFor(() => this.frames.length >= n || this.closed, `${n} frames`);
    if (this.frames.length < n) throw new Error(`connection closed after ${this.frames.length} of ${n} frames`);
    return this.frames.slice(0, n);
  }

  waitClosed(): Promise<void> {
    return waitFor(() => this.closed, 'connection close');
  }

  close(): void {
    this.socket.destroy();
  }
}
