/**
 * One client connection: reads frames, hands them to the dispatcher, and writes the responses
 * strictly in request order even when handlers finish out of order. Backpressure:
 * - reading stops (socket.pause) while `inflightRequestsMax` requests are unanswered, while the
 *   socket's write buffer is full (write() returned false, until 'drain'), and while the broker-wide
 *   request budget (queued.max.requests) is used up;
 * - acks=0 produces (NO_RESPONSE) hold their place in the queue, so later responses stay in order.
 * A framing error or CLOSE_CONNECTION closes this connection only, after earlier responses are sent.
 */
import type { Socket } from 'node:net';
import { FrameDecoder } from './frame-decoder.ts';
import { responseBufferPool } from './response-buffer-pool.ts';
import {
  CLOSE_CONNECTION, NO_RESPONSE,
  type ConnectionHooks, type ConnectionInfo, type ConnectionLimits, type RequestDispatcher, type ResponseSlot,
} from './types.ts';

const PRODUCE_API_KEY = 0;

interface Pending {
  slot: ResponseSlot | null;
  /** Holds one unit of the broker-wide request budget until settled. */
  budget: boolean;
}

export class Connection {
  readonly info: ConnectionInfo;
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly queue: Pending[] = [];
  private readonly dispatcher: RequestDispatcher;
  private readonly limits: ConnectionLimits;
  private readonly hooks: ConnectionHooks;
  private paused = false;
  private waitingForDrain = false;
  private blockedOnBudget = false;
  /** No more requests are read (a close is queued or the socket is gone). */
  private closing = false;
  private closed = false;
  private readonly onClosed: (c: Connection) => void;

  constructor(socket: Socket, info: ConnectionInfo, dispatcher: RequestDispatcher, limits: ConnectionLimits,
    hooks: ConnectionHooks, onClosed: (c: Connection) => void) {
    this.socket = socket;
    this.info = info;
    this.dispatcher = dispatcher;
    this.limits = limits;
    this.hooks = hooks;
    this.onClosed = onClosed;
    this.decoder = new FrameDecoder(limits.requestBytesMax);
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => { this.decoder.push(chunk); this.pump(); });
    socket.on('drain', () => { this.waitingForDrain = false; this.pump(); });
    socket.on('timeout', () => { if (this.queue.length === 0) this.close('idle timeout'); });
    socket.on('error', (err) => { this.hooks.log.debug('connection error', { conn: info.id, err: String(err) }); });
    socket.on('close', () => this.handleClosed());
  }

  /** Unanswered requests (including acks=0 produces not yet finished). */
  get inflight(): number {
    return this.queue.length;
  }

  /** Called by the server when broker-wide budget frees up. */
  retry(): void {
    if (this.blockedOnBudget) this.pump();
  }

  /** Closes now, dropping unsent responses. */
  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  private pump(): void {
    this.blockedOnBudget = false;
    while (!this.closing && !this.waitingForDrain && this.queue.length < this.limits.inflightRequestsMax) {
      if (this.decoder.bufferedBytes === 0) break;
      if (!this.hooks.tryAcquire()) {
        this.blockedOnBudget = true;
        break;
      }
      const r = this.decoder.next();
      if (r.kind === 'frame') {
        this.dispatch(r.frame);
        continue;
      }
      this.hooks.release();
      if (r.kind === 'need-more') break;
      this.hooks.log.warn('closing connection: bad frame', { conn: this.info.id, remote: this.info.remoteAddress, reason: r.reason });
      this.closing = true;
      this.queue.push({ slot: CLOSE_CONNECTION, budget: false });
      this.flush();
      break;
    }
    this.updateReading();
  }

  private dispatch(frame: Buffer): void {
    const pending: Pending = { slot: null, budget: true };
    this.queue.push(pending);
    let result: ResponseSlot | Promise<ResponseSlot>;
    try {
      result = this.dispatcher.dispatch(frame, this.info);
    } catch (err) {
      this.hooks.log.error('request dispatch failed; closing connection', { conn: this.info.id, err: errorText(err) });
      result = CLOSE_CONNECTION;
    }
    // Produce appends its records during the synchronous part of dispatch (the log copies them into
    // the page cache) and keeps no reference to the request bytes, so the frame's memory may be
    // reused for the next request. Other APIs may keep byte fields (group metadata...) alive.
    if (frame.length >= 2 && frame.readInt16BE(0) === PRODUCE_API_KEY) this.decoder.release(frame);
    if (result instanceof Promise) {
      result.then((slot) => this.complete(pending, slot), (err: unknown) => {
        this.hooks.log.error('request handling failed; closing connection', { conn: this.info.id, err: errorText(err) });
        this.complete(pending, CLOSE_CONNECTION);
      });
    } else {
      this.complete(pending, result);
    }
  }

  private settle(p: Pending): void {
    if (!p.budget) return;
    p.budget = false;
    this.hooks.release();
  }

  private complete(pending: Pending, slot: ResponseSlot): void {
    pending.slot = slot;
    if (slot === CLOSE_CONNECTION) this.closing = true;
    const at = this.queue.indexOf(pending);
    if (this.closed || at < 0) {
      if (at >= 0) this.queue.splice(at, 1);
      this.settle(pending);
      return;
    }
    this.flush();
    this.pump();
  }

  /** Writes every finished response at the head of the queue, in order. */
  private flush(): void {
    while (this.queue.length > 0 && this.queue[0]!.slot !== null && !this.closed) {
      const head = this.queue.shift()!;
      const slot = head.slot!;
      this.settle(head);
      if (slot === CLOSE_CONNECTION) {
        // Unfinished requests behind the close settle their budget when they finish.
        for (const p of this.queue) if (p.slot !== null) this.settle(p);
        this.queue.length = 0;
        this.close('closed by request handling');
        return;
      }
      if (slot !== NO_RESPONSE) this.write(slot);
    }
  }

  private write(chunks: Buffer[]): void {
    // Pooled Fetch memory goes back to the pool once the socket is done with it (written or failed).
    const written = responseBufferPool.holdsAny(chunks) ? (): void => responseBufferPool.releaseWritten(chunks) : undefined;
    let ok = true;
    if (chunks.length === 1) {
      ok = this.socket.write(chunks[0]!, written);
    } else {
      this.socket.cork();
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) ok = this.socket.write(chunks[i]!);
      ok = this.socket.write(chunks[last]!, written);
      this.socket.uncork();
    }
    if (!ok) this.waitingForDrain = true;
  }

  private updateReading(): void {
    const shouldRead = !this.closing && !this.waitingForDrain && !this.blockedOnBudget
      && this.queue.length < this.limits.inflightRequestsMax;
    if (shouldRead && this.paused) {
      this.paused = false;
      this.socket.resume();
    } else if (!shouldRead && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private close(reason: string): void {
    this.closing = true;
    this.hooks.log.debug('closing connection', { conn: this.info.id, reason });
    this.socket.end(() => this.socket.destroy());
  }

  private handleClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    // Finished but unsent responses give their budget back now; unfinished ones do when they finish.
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.slot !== null) this.settle(this.queue.splice(i, 1)[0]!);
    }
    this.onClosed(this);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
