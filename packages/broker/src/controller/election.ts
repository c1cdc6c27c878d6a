/**
 * Partition leader election on broker membership changes (Kafka's controller:
 * `onBrokerFailure` -> removeReplicasFromIsr + OfflinePartitionLeaderElectionStrategy, and
 * `onBrokerStartup` -> electing leaders for offline partitions). Pure: given the assignment, the
 * current state, the live brokers and the unclean flag, returns the next state or undefined when
 * nothing changes. Every change bumps the leader epoch, as ZooKeeper-mode Kafka does.
 */
import type { PartitionState, PartitionStateUpdate } from '../metadata/index.ts';

export const NO_LEADER = -1;

export function nextPartitionState(
  replicas: readonly number[], state: PartitionState, live: ReadonlySet<number>, uncleanElection: boolean,
): PartitionStateUpdate | undefined {
  const isr = shrinkIsr(state, live);
  const leaderLive = state.leader !== NO_LEADER && live.has(state.leader);
  let leader = state.leader;
  let nextIsr = isr;
  if (!leaderLive) {
    // Clean: the first replica in assignment order that is in the ISR and alive.
    const clean = replicas.find((r) => live.has(r) && state.isr.includes(r));
    if (clean !== undefined) {
      leader = clean;
    } else if (uncleanElection) {
      // Unclean: any live replica; it may lack acknowledged records, so the ISR restarts with it alone.
      const any = replicas.find((r) => live.has(r));
      leader = any ?? NO_LEADER;
      if (any !== undefined) nextIsr = [any];
    } else {
      leader = NO_LEADER;
    }
  }
  if (leader === state.leader && sameList(nextIsr, state.isr)) return undefined;
  if (nextIsr.length === 0) throw new Error('invariant: the ISR never becomes empty');
  return { leader, leaderEpoch: state.leaderEpoch + 1, isr: nextIsr };
}

/**
 * The ISR without dead brokers. Never empty: when every member is dead, the one most likely to hold
 * every acknowledged record stays (the old leader if it was in the ISR, else the last member), as
 * Kafka keeps the last ISR member so a clean election can happen when it returns.
 */
function shrinkIsr(state: PartitionState, live: ReadonlySet<number>): readonly number[] {
  const alive = state.isr.filter((r) => live.has(r));
  if (alive.length > 0) return alive;
  if (state.isr.length === 0) return [];
  return state.isr.includes(state.leader) ? [state.leader] : [state.isr[state.isr.length - 1]!];
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
