/**
 * Injected time source and timers (STYLE rule 7). Storage, broker and tests share this contract:
 * production code uses `systemClock`; tests drive a `ManualClock`.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, intervalMs: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, delayMs) => {
    const t = setTimeout(fn, delayMs);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (fn, intervalMs) => {
    const t = setInterval(fn, intervalMs);
    t.unref();
    return t;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

interface ManualTimer {
  id: number;
  dueMs: number;
  intervalMs: number | null;
  fn: () => void;
}

/** Deterministic clock for tests: time moves only through `advance`, which fires due timers in order. */
export class ManualClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    return this.add(fn, delayMs, null);
  }

  setInterval(fn: () => void, intervalMs: number): TimerHandle {
    return this.add(fn, intervalMs, Math.max(1, intervalMs));
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  clearInterval(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, firing every timer that falls due (in due order). */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      let next: ManualTimer | null = null;
      for (const t of this.timers.values()) if (t.dueMs <= target && (!next || t.dueMs < next.dueMs)) next = t;
      if (!next) break;
      this.nowMs = next.dueMs;
      if (next.intervalMs === null) this.timers.delete(next.id);
      else next.dueMs += next.intervalMs;
      next.fn();
    }
    this.nowMs = target;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  private add(fn: () => void, delayMs: number, intervalMs: number | null): number {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.nowMs + Math.max(0, delayMs), intervalMs, fn });
    return id;
  }
}
