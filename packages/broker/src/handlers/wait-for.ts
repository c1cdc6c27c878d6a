/**
 * Delayed operations (Kafka's purgatory, reduced to what Fetch and acks=all Produce need): wait
 * until a condition over some partitions holds, re-checking whenever one of their high watermarks
 * advances or their role changes (consumer fetches, produce), or also on every leader append
 * (`watch: 'append'`, follower fetches), or until a deadline on the injected clock.
 */
import type { Clock } from '@tributary/storage';
import type { Partition } from '../replica/index.ts';

/** Resolves true as soon as `ready()` holds, false when `timeoutMs` passes first. */
export function waitForPartitions(
  clock: Clock, partitions: readonly Partition[], timeoutMs: number, ready: () => boolean,
  watch: 'highWatermark' | 'append' = 'highWatermark',
): Promise<boolean> {
  if (ready()) return Promise.resolve(true);
  if (timeoutMs <= 0 || partitions.length === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const unsubscribes: (() => void)[] = [];
    const finish = (result: boolean): void => {
      clock.clearTimeout(timer);
      for (const u of unsubscribes) u();
      unsubscribes.length = 0;
      resolve(result);
    };
    const timer = clock.setTimeout(() => finish(ready()), timeoutMs);
    const check = (): void => { if (ready()) finish(true); };
    for (const p of new Set(partitions)) {
      unsubscribes.push(p.onHighWatermarkAdvance(check));
      if (watch === 'append') unsubscribes.push(p.onLogAppend(check));
    }
  });
}
