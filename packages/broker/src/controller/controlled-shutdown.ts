/**
 * Controlled shutdown (Kafka's `controlled.shutdown.enable`): before a broker stops, leadership of
 * every partition it leads moves to another in-sync replica and the broker leaves every ISR, so
 * clients see one NOT_LEADER_OR_FOLLOWER (then the new leader) instead of a
 * `zookeeper.session.timeout.ms` outage, and acks=all producers do not wait for a departing follower.
 *
 * Mechanism: the shutting-down broker writes the partition states itself, compare-and-set on each
 * partition state's version, instead of Kafka's ControlledShutdown request to the controller. The
 * version check makes this as safe as the controller's writes (a concurrent controller or leader
 * write wins, and this side re-plans from the refreshed state); the plan is the one Kafka's
 * ControlledShutdownLeaderSelector makes: the first replica in assignment order that is live, in
 * the ISR and not the departing broker, with the leader epoch bumped. A follower-only ISR
 * membership is dropped without an epoch bump (the leader keeps leading). The replica manager
 * stops fetching first, so the leader cannot add the departing broker back to the ISR.
 *
 * Rounds: up to `controlled.shutdown.max.retries`, each writing what is left and then waiting up to
 * `controlled.shutdown.retry.backoff.ms` for the store to show this broker leading nothing. A
 * partition with no other live in-sync replica keeps this broker as leader (as in Kafka); the
 * broker then stops anyway and the controller handles it as a failure.
 */
import type { Logger } from '../logger.ts';
import { MetadataError, type MetadataStore, type PartitionState, type PartitionStateUpdate } from '../metadata/index.ts';

export interface ControlledShutdownOptions {
  readonly brokerId: number;
  readonly store: MetadataStore;
  readonly log: Logger;
  readonly retriesMax: number;
  readonly retryBackoffMs: number;
  readonly nowMs?: () => number;
  /** Resolves after `ms` or earlier when the store changes (injected for tests; default: a store subscription). */
  readonly waitForChange?: (ms: number) => Promise<void>;
}

export interface ControlledShutdownResult {
  /** Partitions (`topic-partition`) this broker still leads after the last round. */
  readonly remainingLeaderships: readonly string[];
  readonly rounds: number;
}

/**
 * The state a partition takes when `brokerId` shuts down, or undefined when nothing changes (it
 * neither leads nor is in the ISR, or it is the only live in-sync replica left).
 */
export function shutdownPartitionState(
  replicas: readonly number[], state: PartitionState, brokerId: number, live: ReadonlySet<number>,
): PartitionStateUpdate | undefined {
  if (!state.isr.includes(brokerId) && state.leader !== brokerId) return undefined;
  const isr = state.isr.filter((r) => r !== brokerId);
  if (state.leader === brokerId) {
    const next = replicas.find((r) => r !== brokerId && live.has(r) && isr.includes(r));
    if (next === undefined) return undefined;
    return { leader: next, leaderEpoch: state.leaderEpoch + 1, isr };
  }
  // A follower: leave the ISR unless that would empty it or leave the leader out.
  if (isr.length === 0 || !isr.includes(state.leader)) return undefined;
  return { leader: state.leader, leaderEpoch: state.leaderEpoch, isr };
}

/** Partitions (`topic-partition`) `brokerId` leads in the store's view. */
export function ledPartitions(store: MetadataStore, brokerId: number): string[] {
  const out: string[] = [];
  for (const t of store.topics()) {
    for (let p = 0; p < t.assignments.length; p++) {
      if (store.partitionState(t.name, p)?.leader === brokerId) out.push(`${t.name}-${p}`);
    }
  }
  return out;
}

/** Partitions `brokerId` leads whose leadership a shutdown round would move. */
function movableLeaderships(store: MetadataStore, brokerId: number): number {
  const live = new Set(store.brokers().map((b) => b.id));
  let n = 0;
  for (const t of store.topics()) {
    for (let p = 0; p < t.assignments.length; p++) {
      const state = store.partitionState(t.name, p);
      if (state?.leader !== brokerId) continue;
      if (shutdownPartitionState(t.assignments[p]!, state, brokerId, live) !== undefined) n++;
    }
  }
  return n;
}

/** Runs the rounds described above; never throws for expected metadata failures. */
export async function controlledShutdown(opts: ControlledShutdownOptions): Promise<ControlledShutdownResult> {
  const { brokerId, store, log } = opts;
  const nowMs = opts.nowMs ?? Date.now;
  const waitForChange = opts.waitForChange ?? ((ms: number) => waitForStoreChange(store, ms));
  let rounds = 0;
  for (; rounds < opts.retriesMax; rounds++) {
    const unavailable = await oneRound(brokerId, store, log);
    if (unavailable) break;
    // Wait only for leaderships that can move: one without another live in-sync replica stays.
    const deadline = nowMs() + opts.retryBackoffMs;
    while (movableLeaderships(store, brokerId) > 0 && nowMs() < deadline) await waitForChange(deadline - nowMs());
    if (movableLeaderships(store, brokerId) === 0) { rounds++; break; }
  }
  const remaining = ledPartitions(store, brokerId);
  if (remaining.length > 0) log.warn('controlled shutdown left partitions led by this broker', { brokerId, partitions: remaining.slice(0, 20), count: remaining.length });
  else log.info('controlled shutdown complete: this broker leads no partition', { brokerId, rounds });
  return { remainingLeaderships: remaining, rounds };
}

/** One pass of compare-and-set writes; true when the store is unreachable (stop trying). */
async function oneRound(brokerId: number, store: MetadataStore, log: Logger): Promise<boolean> {
  for (const t of store.topics()) {
    for (let p = 0; p < t.assignments.length; p++) {
      const state = store.partitionState(t.name, p);
      const replicas = store.topic(t.name)?.assignments[p];
      if (state === undefined || replicas === undefined) continue;
      const live = new Set(store.brokers().map((b) => b.id));
      const next = shutdownPartitionState(replicas, state, brokerId, live);
      if (next === undefined) continue;
      try {
        await store.updatePartitionState(t.name, p, next, state.version);
        if (next.leader !== state.leader) log.info('controlled shutdown moved leadership', { topic: t.name, partition: p, to: next.leader, leaderEpoch: next.leaderEpoch });
      } catch (e) {
        if (!(e instanceof MetadataError)) throw e;
        if (e.code === 'UNAVAILABLE' || e.code === 'CLOSED') return true;
        // BAD_VERSION and the like: the next round plans again from the refreshed view.
      }
    }
  }
  return false;
}

function waitForStoreChange(store: MetadataStore, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); unsubscribe(); resolve(); };
    const timer = setTimeout(done, Math.max(0, ms));
    const unsubscribe = store.subscribe((e) => { if (e.type === 'partition-state' || e.type === 'session-lost') done(); });
  });
}
